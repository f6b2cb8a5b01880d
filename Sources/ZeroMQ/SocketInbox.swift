import DequeModule
import Synchronization

/// The bounded hand-over from a socket's owner thread to the one task that consumes its messages.
///
/// When it is full the owner thread stops reading the socket, so back-pressure reaches libzmq's high-water
/// marks and then the sender, instead of growing memory. Taking from a full inbox wakes the owner again.
final class SocketInbox: Sendable {
    private struct State: ~Copyable {
        var buffer = Deque<Multipart>()
        var waiter: CheckedContinuation<Multipart?, Never>?
        var finished = false
        var ownerBlocked = false
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let wake: WakeSignal

    init(capacity: Int, wake: WakeSignal) {
        self.capacity = capacity
        self.wake = wake
    }

    /// Owner thread: hands over a message; returns whether there is room for another.
    func push(_ message: Multipart) -> Bool {
        let (waiter, hasRoom) = state.withLock { state -> (CheckedContinuation<Multipart?, Never>?, Bool) in
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, true)
            }
            state.buffer.append(message)
            return (nil, state.buffer.count < capacity)
        }
        waiter?.resume(returning: message)
        return hasRoom
    }

    /// Owner thread: whether it may read more; if not, records that the consumer must wake it.
    func reserveRoom() -> Bool {
        state.withLock { state in
            if state.buffer.count < capacity { return true }
            state.ownerBlocked = true
            return false
        }
    }

    /// Owner thread: no more messages will come.
    func finish() {
        let waiter = state.withLock { state in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Consumer: the next message, or `nil` once finished and drained (or the task was cancelled).
    func next() async -> Multipart? {
        if let message = takeAvailable() { return message }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Multipart?, Never>) in
                let ready: Multipart?? = state.withLock { state in
                    if let message = state.buffer.popFirst() { return .some(message) }
                    if state.finished || Task.isCancelled { return .some(nil) }
                    precondition(state.waiter == nil, "a socket loop's inbound messages have a single consumer")
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// Consumer: everything buffered, up to `max`, waiting only when nothing is buffered.
    func nextBatch(max: Int) async -> [Multipart] {
        guard let first = await next() else { return [] }
        var batch = [first]
        let (more, wakeOwner) = state.withLock { state -> ([Multipart], Bool) in
            let count = Swift.min(max - 1, state.buffer.count)
            let taken = Array(state.buffer.prefix(count))
            state.buffer.removeFirst(count)
            return (taken, releaseOwner(&state))
        }
        batch.append(contentsOf: more)
        if wakeOwner { wake.raise() }
        return batch
    }

    private func takeAvailable() -> Multipart? {
        let (message, wakeOwner) = state.withLock { state -> (Multipart?, Bool) in
            guard let message = state.buffer.popFirst() else { return (nil, false) }
            return (message, releaseOwner(&state))
        }
        if wakeOwner { wake.raise() }
        return message
    }

    private func releaseOwner(_ state: inout State) -> Bool {
        guard state.ownerBlocked, state.buffer.count < capacity else { return false }
        state.ownerBlocked = false
        return true
    }
}
