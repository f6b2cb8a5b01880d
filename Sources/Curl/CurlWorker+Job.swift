import Dispatch
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

    /// The worker's inbox: submitted jobs in order, and a semaphore the thread sleeps on while it is empty.
    final class JobQueue: Sendable {
        private struct State {
            var jobs: [Job] = []
            var head = 0
            var isClosed = false
        }

        private let state = Mutex(State())
        // Signalled once per job and once on close, so each wake-up of the thread has exactly one thing to see.
        private let signal = DispatchSemaphore(value: 0)

        func enqueue(_ job: Job) -> Bool {
            let accepted = state.withLock { state -> Bool in
                guard !state.isClosed else { return false }
                state.jobs.append(job)
                return true
            }
            if accepted { signal.signal() }
            return accepted
        }

        func close() {
            let wasOpen = state.withLock { state -> Bool in
                defer { state.isClosed = true }
                return !state.isClosed
            }
            if wasOpen { signal.signal() }
        }

        /// Blocks until a job arrives; nil once the queue is closed and drained.
        func next() -> Job? {
            signal.wait()
            return state.withLock { state -> Job? in
                guard state.head < state.jobs.count else { return nil }
                let job = state.jobs[state.head]
                state.head += 1
                // Compact now and then so a long-lived worker does not keep every job it ever ran.
                if state.head >= 64 && state.head * 2 >= state.jobs.count {
                    state.jobs.removeFirst(state.head)
                    state.head = 0
                }
                return job
            }
        }
    }
}
