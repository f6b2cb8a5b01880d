import Synchronization

/// Tells a client's publishers that it closed, also while they pause between attempts.
final class ClosingSignal: Sendable {
    private struct State: ~Copyable {
        var closed = false
        var sleepers: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextSleeperID = 0
    }

    private let state = Mutex(State())

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Wakes every sleeper; later sleeps return at once.
    func close() {
        let sleepers = state.withLock { state in
            state.closed = true
            defer { state.sleepers = [:] }
            return state.sleepers.values
        }
        for sleeper in sleepers { sleeper.resume() }
    }

    /// Sleeps for `duration`; `false` when woken early because the client closed or the task was cancelled.
    func sleep(for duration: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                (try? await Task.sleep(for: duration)) != nil
            }
            group.addTask {
                await self.waitForClose()
                return false
            }
            defer { group.cancelAll() }
            return await group.next()! && !isClosed
        }
    }

    /// Returns once closed, or when the task is cancelled.
    private func waitForClose() async {
        let id = state.withLock { state in
            state.nextSleeperID += 1
            return state.nextSleeperID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.closed || Task.isCancelled { return true }
                    state.sleepers[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.resume()
        }
    }
}
