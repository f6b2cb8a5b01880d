import Curl
import LeadflowDomain
import LeadflowSecrets
import Logging
import Synchronization

/// Sends alert notifications to Alertmanager (`POST <url>/api/v2/alerts`) from one background task, with retries.
///
/// ``notify(_:)`` never waits: notifications queue (at most ``capacity``; when full the oldest is dropped and
/// counted) and one task posts them in order through a ``CurlWorker`` thread. A notification is retried with
/// exponential backoff and full jitter after a connection error, a timeout, a 5xx or a 429, up to `attempts`
/// times for each URL; any other status is a payload Alertmanager will never take, logged and dropped at once.
public final class AlertmanagerNotifier: Sendable {
    /// What the notifier has done since it started.
    public struct Statistics: Sendable, Hashable {
        public init(sent: Int = 0, retried: Int = 0, failed: Int = 0, dropped: Int = 0) {
            self.sent = sent
            self.retried = retried
            self.failed = failed
            self.dropped = dropped
        }

        /// Notifications every URL accepted.
        public var sent = 0
        /// Attempts that failed and were retried.
        public var retried = 0
        /// Notifications given up on for one URL (attempts exhausted or a status that no retry fixes).
        public var failed = 0
        /// Notifications dropped unsent because the queue was full.
        public var dropped = 0
    }

    /// Most notifications waiting to be sent.
    public let capacity: Int
    private let urls: [String]
    private let attempts: Int
    private let retry: RetryPolicy
    private let logger: Logger
    private let worker = CurlWorker(name: "leadflow.alertmanager")
    private let queue: AsyncStream<[UInt8]>.Continuation
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)
    private let counters = Mutex(Statistics())

    /// Starts the sending task. `urls` are Alertmanager base URLs (`http://host:9093`).
    public init(
        urls: [String], attempts: Int = 5, retry: RetryPolicy = RetryPolicy(base: .milliseconds(500), cap: .seconds(30)),
        capacity: Int = 1_000, logger: Logger
    ) {
        self.urls = urls.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.attempts = max(1, attempts)
        self.retry = retry
        self.capacity = capacity
        self.logger = logger
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .bufferingNewest(capacity))
        queue = continuation
        let started = Task { [self] in
            for await body in stream { await send(body) }
        }
        task.withLock { $0 = started }
    }

    /// Queues one Alertmanager v2 body (a JSON array of alerts); returns at once.
    public func notify(_ body: [UInt8]) {
        if case .dropped = queue.yield(body) {
            counters.withLock { $0.dropped += 1 }
            logger.warning("Alertmanager queue full: dropped the oldest notification", metadata: ["capacity": "\(capacity)"])
        }
    }

    public var statistics: Statistics { counters.withLock { $0 } }

    /// Sends what is queued (bounded by `timeout`), then stops the task and the curl thread.
    public func close(timeout: Duration = .seconds(5)) async {
        queue.finish()
        guard let task = task.withLock({ $0.take() }) else { return }
        let deadline = ContinuousClock.now + timeout
        let finished = Mutex(false)
        let timer = Task {
            try? await Task.sleep(until: deadline)
            if !finished.withLock({ $0 }) { task.cancel() }
        }
        await task.value
        finished.withLock { $0 = true }
        timer.cancel()
        worker.shutdown()
    }

    private func send(_ body: [UInt8]) async {
        var delivered = true
        for url in urls {
            delivered = await send(body, to: url + "/api/v2/alerts") && delivered
        }
        if delivered { counters.withLock { $0.sent += 1 } }
    }

    /// Posts `body` to `url` until it is accepted, refused for good, or out of attempts; whether it was accepted.
    private func send(_ body: [UInt8], to url: String) async -> Bool {
        let request = HTTPRequest(
            method: .post, url: url, headers: ["Content-Type": "application/json"], body: body,
            connectTimeout: .seconds(5), timeout: .seconds(10))
        for attempt in 1...attempts {
            let problem: String
            do {
                let response = try await worker.perform(request)
                if (200..<300).contains(response.status) { return true }
                problem = "HTTP \(response.status): \(String(decoding: response.body.prefix(200), as: UTF8.self))"
                guard response.status >= 500 || response.status == 429 else {
                    logger.error("Alertmanager refused the alerts", metadata: ["url": "\(RedactedURL(url))", "problem": "\(problem)"])
                    counters.withLock { $0.failed += 1 }
                    return false
                }
            } catch is CancellationError {
                counters.withLock { $0.failed += 1 }
                return false
            } catch {
                problem = "\(error)"
            }
            guard attempt < attempts else {
                logger.error(
                    "Alertmanager unreachable: notification dropped",
                    metadata: ["url": "\(RedactedURL(url))", "attempts": "\(attempts)", "problem": "\(problem)"])
                counters.withLock { $0.failed += 1 }
                return false
            }
            counters.withLock { $0.retried += 1 }
            logger.warning(
                "Alertmanager post failed; retrying",
                metadata: ["url": "\(RedactedURL(url))", "attempt": "\(attempt)", "problem": "\(problem)"])
            do { try await Task.sleep(for: retry.delay(afterAttempt: attempt)) } catch {
                counters.withLock { $0.failed += 1 }
                return false
            }
        }
        return false
    }
}
