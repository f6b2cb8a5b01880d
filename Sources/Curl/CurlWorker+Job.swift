import Synchronization

extension CurlWorker {
    /// One submitted request and the continuation waiting for it, guarding that it is resumed exactly once
    /// whichever of completion, cancellation or rejection comes first.
    final class Job: Sendable {
        typealias Continuation = CheckedContinuation<HTTPResponse, any Error>

        private enum State {
            case created
            case cancelledBeforeQueued
            case queued(Continuation)
            case running(Continuation, abortRequested: Bool)
            case done
        }

        let request: HTTPRequest
        private let state = Mutex(State.created)

        init(request: HTTPRequest) {
            self.request = request
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

        func cancel() {
            let waiting = state.withLock { state -> Continuation? in
                switch state {
                case .created:
                    state = .cancelledBeforeQueued
                case .queued(let continuation):
                    // Answered now rather than when the worker reaches it, which may be a long transfer later;
                    // the worker skips the job when it gets there.
                    state = .done
                    return continuation
                case .running(let continuation, _):
                    state = .running(continuation, abortRequested: true)
                case .cancelledBeforeQueued, .done:
                    break
                }
                return nil
            }
            waiting?.resume(throwing: CancellationError())
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

        func finish(_ result: Result<HTTPResponse, any Error>) {
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
}
