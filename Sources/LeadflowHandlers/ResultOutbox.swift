import LeadflowBus
import Synchronization

/// Results waiting to be pushed: deliveries add them one by one as they finish, the sender takes whatever has
/// gathered in one batch, so a burst of completions costs one hand-over to the socket.
final class ResultOutbox: Sendable {
    private struct State: ~Copyable {
        var results: [Envelope] = []
        var waiter: CheckedContinuation<[Envelope], Never>?
        var finished = false
    }

    private let state = Mutex(State())

    func add(_ result: Envelope) {
        let waiter = state.withLock { state -> CheckedContinuation<[Envelope], Never>? in
            state.results.append(result)
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        // The waiter takes the batch itself, so that results added meanwhile join it.
        waiter?.resume(returning: [])
    }

    /// No more results will come; `nextBatch` returns what is left, then empty.
    func finish() {
        let waiter = state.withLock { state in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: [])
    }

    /// Up to `max` results, waiting while there are none; empty once finished and drained. One consumer.
    func nextBatch(max: Int) async -> [Envelope] {
        while true {
            let batch = state.withLock { state -> [Envelope]? in
                guard state.results.isEmpty else {
                    let count = Swift.min(max, state.results.count)
                    defer { state.results.removeFirst(count) }
                    return Array(state.results.prefix(count))
                }
                return state.finished ? [] : nil
            }
            if let batch { return batch }
            _ = await withCheckedContinuation { (waiter: CheckedContinuation<[Envelope], Never>) in
                let ready = state.withLock { state -> Bool in
                    if !state.results.isEmpty || state.finished { return true }
                    state.waiter = waiter
                    return false
                }
                if ready { waiter.resume(returning: []) }
            }
        }
    }
}
