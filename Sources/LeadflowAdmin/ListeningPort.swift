import Synchronization

/// The port a listener got, for callers that wait for it (tests bind port 0): announced once the server
/// listens, or a failure once it stopped without listening.
final class ListeningPort: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Int, any Error>])
        case listening(Int)
        case stopped
    }

    /// What a waiter learns when the server stopped without listening.
    struct NotListening: Error, CustomStringConvertible {
        var description: String { "the admin API stopped before it listened" }
    }

    private let state = Mutex(State.waiting([]))

    /// Whether a port was announced.
    var hasListened: Bool {
        state.withLock { state in
            if case .listening = state { return true }
            return false
        }
    }

    func announce(_ port: Int) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int, any Error>] in
            guard case .waiting(let waiters) = state else { return [] }
            state = .listening(port)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    func stopped() {
        let waiters = state.withLock { state -> [CheckedContinuation<Int, any Error>] in
            defer { state = .stopped }
            guard case .waiting(let waiters) = state else { return [] }
            return waiters
        }
        for waiter in waiters { waiter.resume(throwing: NotListening()) }
    }

    /// The port, once announced; throws ``NotListening`` once stopped.
    func value() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = state.withLock { state -> Result<Int, any Error>? in
                switch state {
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                case .listening(let port): return .success(port)
                case .stopped: return .failure(NotListening())
                }
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }
}
