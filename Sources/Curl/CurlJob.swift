import Synchronization

/// One submitted request and the continuation waiting for it, guarding that it is resumed exactly once
/// whichever of completion, cancellation or rejection comes first; shared by `CurlWorker` and `CurlMulti`.
final class CurlJob<Operation: CurlOperation>: Sendable {
    typealias Continuation = CheckedContinuation<Operation.Response, any Error>

    private enum State {
        case created
        case cancelledBeforeQueued
        case queued(Continuation)
        case running(Continuation, abortRequested: Bool)
        case done
    }

    let operation: Operation
    private let state = Mutex(State.created)

    init(_ operation: Operation) {
        self.operation = operation
    }

    /// Hands the job to `enqueue` (false: the queue is closed, which fails the job with `CancellationError`)
    /// and waits for its outcome. Cancelling the calling task cancels the job; `abort` is called when its
    /// transfer was already running, for a driver that can stop it at once rather than poll.
    func outcome(
        enqueue: (CurlJob) -> Bool, abort: @escaping @Sendable (CurlJob) -> Void = { _ in }
    ) async throws -> Operation.Response {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard attach(continuation) else { return }
                if !enqueue(self) {
                    reject(CancellationError())
                }
            }
        } onCancel: {
            if cancel() { abort(self) }
        }
    }

    /// Stores the continuation; false if the task was already cancelled, in which case it has been resumed.
    func attach(_ continuation: Continuation) -> Bool {
        let attached = state.withLock { state -> Bool in
            guard case .created = state else { return false }
            state = .queued(continuation)
            return true
        }
        if !attached {
            state.withLock { $0 = .done }
            continuation.resume(throwing: CancellationError())
        }
        return attached
    }

    /// Answers a job that is still queued at once; a running one is only marked, and this returns true so
    /// that the caller can have its transfer aborted.
    @discardableResult
    func cancel() -> Bool {
        let (waiting, running) = state.withLock { state -> (Continuation?, Bool) in
            switch state {
            case .created:
                state = .cancelledBeforeQueued
            case .queued(let continuation):
                // Answered now rather than when the worker reaches it, which may be a long transfer later;
                // the worker skips the job when it gets there.
                state = .done
                return (continuation, false)
            case .running(let continuation, _):
                state = .running(continuation, abortRequested: true)
                return (nil, true)
            case .cancelledBeforeQueued, .done:
                break
            }
            return (nil, false)
        }
        waiting?.resume(throwing: CancellationError())
        return running
    }

    /// Called by the worker before the transfer; false means the job was cancelled and must be skipped.
    func start() -> Bool {
        state.withLock { state in
            guard case .queued(let continuation) = state else { return false }
            state = .running(continuation, abortRequested: false)
            return true
        }
    }

    /// Polled from libcurl's progress callback on the worker thread.
    func isAbortRequested() -> Bool {
        state.withLock { state in
            if case .running(_, abortRequested: true) = state { return true }
            return false
        }
    }

    func finish(_ result: Result<Operation.Response, any Error>) {
        let running = state.withLock { state -> Continuation? in
            guard case .running(let continuation, _) = state else { return nil }
            state = .done
            return continuation
        }
        running?.resume(with: result)
    }

    /// Fails a job the queue would not take.
    func reject(_ error: any Error) {
        let queued = state.withLock { state -> Continuation? in
            guard case .queued(let continuation) = state else { return nil }
            state = .done
            return continuation
        }
        queued?.resume(throwing: error)
    }
}
