import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A serial executor backed by one dedicated OS thread, so that blocking libpq calls made by the actor it
/// serves never occupy a thread of Swift's cooperative pool.
final class ConnectionThread: SerialExecutor, Sendable {
    private struct State {
        var jobs: [UnownedJob] = []
        var head = 0
        var stopping = false
        var thread: pthread_t?
    }

    private let state = Mutex(State())
    /// Counts enqueued jobs plus one for a stop request; the thread sleeps on it when idle.
    private let signal = DispatchSemaphore(value: 0)
    let name: String

    init(name: String) {
        self.name = name
        let box = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            let executor = Unmanaged<ConnectionThread>.fromOpaque(raw!).takeRetainedValue()
            executor.runLoop()
            return nil
        }, box.toOpaque())
        precondition(rc == 0, "pthread_create failed with \(rc)")
        pthread_detach(thread)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        state.withLock { $0.jobs.append(job) }
        signal.signal()
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    func checkIsolated() {
        precondition(isCurrentThread, "expected to run on the connection thread \(name)")
    }

    func isIsolatingCurrentContext() -> Bool? {
        isCurrentThread
    }

    private var isCurrentThread: Bool {
        let me = pthread_self()
        return state.withLock { state in state.thread.map { pthread_equal($0, me) != 0 } ?? false }
    }

    /// Lets the thread exit once the jobs already queued have run; called when the owning actor goes away,
    /// at which point nobody can enqueue more work for it.
    func shutdown() {
        state.withLock { $0.stopping = true }
        signal.signal()
    }

    private func runLoop() {
        state.withLock { $0.thread = pthread_self() }
        let unowned = asUnownedSerialExecutor()
        while true {
            signal.wait()
            let next: UnownedJob? = state.withLock { state in
                guard state.head < state.jobs.count else { return nil }
                let job = state.jobs[state.head]
                state.head += 1
                // Compact occasionally so the array does not grow without bound.
                if state.head == state.jobs.count {
                    state.jobs.removeAll(keepingCapacity: true)
                    state.head = 0
                }
                return job
            }
            if let next {
                next.runSynchronously(on: unowned)
            } else if state.withLock({ $0.stopping && $0.head >= $0.jobs.count }) {
                return
            }
        }
    }
}
