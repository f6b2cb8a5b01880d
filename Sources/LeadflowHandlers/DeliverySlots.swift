import Synchronization

/// The bound on deliveries in flight: the pull loop takes free slots before it pulls that many dispatches,
/// each finished delivery gives its slot back.
final class DeliverySlots: Sendable {
    private struct State: ~Copyable {
        var free: Int
        var waiter: CheckedContinuation<Int, Never>?
    }

    private let state: Mutex<State>

    init(_ count: Int) {
        state = Mutex(State(free: count))
    }

    /// Takes every free slot, waiting until there is at least one; 0 when the task is cancelled. One caller.
    func takeFree() async -> Int {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: CheckedContinuation<Int, Never>) in
                let taken = state.withLock { state -> Int? in
                    if state.free > 0 {
                        defer { state.free = 0 }
                        return state.free
                    }
                    if Task.isCancelled { return 0 }
                    state.waiter = waiter
                    return nil
                }
                if let taken { waiter.resume(returning: taken) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: 0)
        }
    }

    /// Gives `count` slots back.
    func release(_ count: Int) {
        guard count > 0 else { return }
        let (waiter, taken) = state.withLock { state -> (CheckedContinuation<Int, Never>?, Int) in
            state.free += count
            guard let waiter = state.waiter else { return (nil, 0) }
            state.waiter = nil
            defer { state.free = 0 }
            return (waiter, state.free)
        }
        waiter?.resume(returning: taken)
    }
}
