import CCurl
import DequeModule
import Synchronization

extension CurlMulti {
    /// What callers hand the multi thread (jobs, aborts, closing) and how they wake it; the only state of a
    /// `CurlMulti` shared across threads.
    final class Inbox: Sendable {
        private struct State: ~Copyable {
            var queue = Deque<any CurlMultiJob>()
            var aborts: [any CurlMultiJob] = []
            /// Set by the thread while its multi handle exists, so that wake-ups never reach a freed handle.
            var multi: WakeHandle?
            /// A wake-up is on its way that the thread has not yet answered: another one would add nothing.
            var wakePending = false
            var closed = false
            var finished = false
            var closeWaiters: [CheckedContinuation<Void, Never>] = []
        }

        private let state = Mutex(State())

        func enqueue(_ job: any CurlMultiJob) -> Bool {
            state.withLock { state in
                guard !state.closed else { return false }
                state.queue.append(job)
                Self.wake(&state)
                return true
            }
        }

        /// Asks the thread to stop the running transfer of `job`.
        func abort(_ job: any CurlMultiJob) {
            state.withLock { state in
                guard !state.finished else { return }
                state.aborts.append(job)
                Self.wake(&state)
            }
        }

        func close() {
            state.withLock { state in
                state.closed = true
                Self.wake(&state)
            }
        }

        func closeAndWait() async {
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                let finished = state.withLock { state in
                    state.closed = true
                    if !state.finished { state.closeWaiters.append(waiter) }
                    Self.wake(&state)
                    return state.finished
                }
                if finished { waiter.resume() }
            }
        }

        // curl_multi_wakeup is the one libcurl call made from other threads; holding the lock while making it
        // keeps the thread from freeing the handle in between.
        private static func wake(_ state: inout State) {
            guard !state.wakePending, let multi = state.multi else { return }
            state.wakePending = true
            curl_multi_wakeup(multi.pointer)
        }

        /// The multi handle as other threads may use it: for `curl_multi_wakeup` only, which libcurl documents as
        /// callable from any thread; every other use stays on the multi thread.
        private struct WakeHandle: @unchecked Sendable {
            let pointer: UnsafeMutableRawPointer
        }

        // MARK: The multi thread's side

        /// Publishes the thread's multi handle, for wake-ups.
        func attach(_ multi: UnsafeMutableRawPointer) {
            state.withLock { state in
                state.multi = WakeHandle(pointer: multi)
                state.wakePending = false
            }
        }

        /// Withdraws the thread's multi handle before the thread frees it; ``attach(_:)`` publishes the next one.
        func detach() {
            state.withLock { $0.multi = nil }
        }

        /// Called at the top of each turn: later hand-overs must wake the thread again.
        func takeAborts() -> [any CurlMultiJob] {
            state.withLock { state in
                state.wakePending = false
                defer { state.aborts.removeAll() }
                return state.aborts
            }
        }

        func nextJob() -> (any CurlMultiJob)? {
            state.withLock { $0.queue.popFirst() }
        }

        var hasQueuedJobs: Bool {
            state.withLock { !$0.queue.isEmpty }
        }

        /// Whether the thread may end: closed, and nothing queued.
        var isClosedAndDrained: Bool {
            state.withLock { $0.closed && $0.queue.isEmpty }
        }

        /// The thread is about to free its handle (or never made one): refuse everything
        /// from now on, release whoever waits for the shutdown, and return what was still queued.
        func finish() -> [any CurlMultiJob] {
            let (leftover, waiters) = state.withLock { state in
                state.multi = nil
                state.closed = true
                state.finished = true
                defer {
                    state.queue.removeAll()
                    state.closeWaiters.removeAll()
                }
                return (Array(state.queue), state.closeWaiters)
            }
            for waiter in waiters { waiter.resume() }
            return leftover
        }
    }
}
