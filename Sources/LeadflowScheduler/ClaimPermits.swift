import Synchronization

/// Lets follow-up claims run beside the claim loop until shutdown, and lets shutdown wait for the ones in
/// progress: their dispatches must reach the type dispatchers before those are finished, or the actions would
/// sit dispatched until their leases end.
final class ClaimPermits: Sendable {
    private struct State {
        var closed = false
        var running = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Takes a permit; `false` once ``closeAndWait()`` was called. Give it back with ``leave()``.
    func enter() -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            state.running += 1
            return true
        }
    }

    func leave() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.running -= 1
            guard state.running == 0 else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Refuses new permits and returns once every permit taken has been given back.
    func closeAndWait() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                state.closed = true
                guard state.running > 0 else { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}
