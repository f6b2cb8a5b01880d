import Foundation

/// A dedicated thread that owns one `CurlEasy` and performs async callers' requests on it, one at a time, in order.
///
/// libcurl blocks while a transfer runs; doing that on Swift's cooperative pool would starve every other task,
/// so the blocking call happens here and the caller's continuation is resumed when it ends.
public final class CurlWorker: Sendable {
    private let queue = JobQueue()

    /// Starts the worker's thread; `name` shows up in debuggers and thread listings.
    public init(name: String = "leadflow.curl") {
        let queue = self.queue
        let thread = Thread { CurlWorker.run(queue) }
        thread.name = name
        thread.start()
    }

    deinit {
        queue.close()
    }

    /// Performs `request` on the worker's thread; cancelling the calling task abandons the transfer (within about a
    /// second) or removes it from the queue, and throws `CancellationError`, as does calling this after `shutdown()`.
    public func perform(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await CurlJob(request).outcome(enqueue: queue.enqueue)
    }

    /// Stops taking requests; those already submitted still run, then the thread exits and frees the handle.
    public func shutdown() {
        queue.close()
    }

    private static func run(_ queue: JobQueue) {
        // Created here so that the handle never leaves this thread.
        let easy = Result { () throws(CurlError) in try CurlEasy() }
        while let job = queue.next() {
            guard job.start() else { continue }
            let result = easy.flatMap { easy in
                Result { () throws(CurlError) in try easy.perform(job.operation, shouldAbort: job.isAbortRequested) }
            }
            job.finish(result.mapError { error -> any Error in
                job.isAbortRequested() ? CancellationError() : error
            })
        }
    }
}
