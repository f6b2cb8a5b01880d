import Dispatch
import Synchronization

extension CurlWorker {
    /// The worker's inbox: submitted jobs in order, and a semaphore the thread sleeps on while it is empty.
    final class JobQueue: Sendable {
        private struct State {
            var jobs: [CurlJob<HTTPRequest>] = []
            var head = 0
            var isClosed = false
        }

        private let state = Mutex(State())
        // Signalled once per job and once on close, so each wake-up of the thread has exactly one thing to see.
        private let signal = DispatchSemaphore(value: 0)

        func enqueue(_ job: CurlJob<HTTPRequest>) -> Bool {
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
        func next() -> CurlJob<HTTPRequest>? {
            signal.wait()
            return state.withLock { state -> CurlJob<HTTPRequest>? in
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
