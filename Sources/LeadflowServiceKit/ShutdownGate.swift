import Synchronization

/// Lets a service's receive loop stop taking new work on graceful shutdown while the work it already took
/// finishes: only the wait for the next batch is cancelled.
public final class ShutdownGate: Sendable {
    private struct State {
        var closed = false
        var cancelWaiting: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    public init() {}

    public var isClosed: Bool { state.withLock { $0.closed } }

    /// Runs `receive` unless the gate is closed (then `nil`); closing the gate meanwhile cancels it, and what
    /// it returns anyway (work it had already taken) is still handed back to be finished.
    public func receive<T: Sendable>(_ receive: @escaping @Sendable () async -> T) async -> T? {
        let task = Task { await receive() }
        let open = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.cancelWaiting = { task.cancel() }
            return true
        }
        guard open else {
            task.cancel()
            return nil
        }
        let value = await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
        state.withLock { $0.cancelWaiting = nil }
        return value
    }

    /// Stops the loop: a receive in progress is cancelled and later ones return `nil` at once.
    public func close() {
        let cancel = state.withLock { state in
            state.closed = true
            return state.cancelWaiting
        }
        cancel?()
    }
}
