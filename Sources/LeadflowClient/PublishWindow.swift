import DequeModule
import Synchronization

/// The bounded set of slots messages hold from their first send until their final answer: publishers beyond
/// it wait, first come first served, so a fast producer gets back-pressure instead of growing memory.
final class PublishWindow: Sendable {
    enum Refusal: Error {
        case closed
        case cancelled
    }

    private enum Grant {
        case slot
        case refused(Refusal)
    }

    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Grant, Never>
    }

    private struct State: ~Copyable {
        var free: Int
        var waiters = Deque<Waiter>()
        var nextWaiterID = 0
        var closed = false
    }

    let capacity: Int
    private let state: Mutex<State>

    init(capacity: Int) {
        precondition(capacity >= 1, "a window holds at least one message")
        self.capacity = capacity
        state = Mutex(State(free: capacity))
    }

    /// Takes a slot, waiting while all are taken; every successful call needs one ``release()``.
    func acquire() async throws(Refusal) {
        let immediate = state.withLock { state -> Grant? in
            if state.closed { return .refused(.closed) }
            guard state.free > 0, state.waiters.isEmpty else { return nil }
            state.free -= 1
            return .slot
        }
        let grant: Grant
        if let immediate {
            grant = immediate
        } else {
            grant = await wait()
        }
        if case .refused(let refusal) = grant { throw refusal }
    }

    private func wait() async -> Grant {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Grant, Never>) in
                let ready = state.withLock { state -> Grant? in
                    if state.closed { return .refused(.closed) }
                    if Task.isCancelled { return .refused(.cancelled) }
                    if state.free > 0 && state.waiters.isEmpty {
                        state.free -= 1
                        return .slot
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(returning: .refused(.cancelled))
        }
    }

    /// Returns a slot: to the longest waiting publisher, if any.
    func release() {
        let next = state.withLock { state -> Waiter? in
            if let waiter = state.waiters.popFirst() { return waiter }
            state.free += 1
            return nil
        }
        next?.continuation.resume(returning: .slot)
    }

    /// Refuses every waiting and future ``acquire()``; slots already held are still released as usual.
    func close() {
        let waiters = state.withLock { state in
            state.closed = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.continuation.resume(returning: .refused(.closed)) }
    }

    /// Slots currently held.
    var inUse: Int { state.withLock { capacity - $0.free } }

    /// Publishers waiting for a slot.
    var waiting: Int { state.withLock { $0.waiters.count } }
}
