import Foundation

/// Many HTTP requests and SMTP submissions in flight at once from async code, driven by libcurl's multi interface
/// on one dedicated thread.
///
/// The thread owns the multi handle and every easy handle; it sleeps in `curl_multi_poll`, and callers wake it
/// with `curl_multi_wakeup` when they hand over work or cancel. At most `maxConcurrent` transfers run at once;
/// further requests wait in a FIFO queue. A slow server holds only its own transfer: the others progress, and
/// complete, in whatever order their servers answer.
public final class CurlMulti: Sendable {
    private let inbox: Inbox

    /// Starts the thread; `maxConcurrent` (at least 1) bounds the transfers running at once, and so the
    /// connections open; `name` shows up in debuggers and thread listings. Connections are kept alive between
    /// transfers; once no transfer has run for `idleConnectionTimeout`, the thread closes every one it keeps
    /// (politely: an SMTP connection gets `QUIT`). `nil` leaves that to libcurl, which drops a connection idle for
    /// two minutes when it next looks for one to reuse.
    public init(
        maxConcurrent: Int = 64, name: String = "leadflow.curl-multi", idleConnectionTimeout: Duration? = nil
    ) {
        precondition(maxConcurrent >= 1, "CurlMulti needs room for at least one transfer")
        let inbox = Inbox()
        self.inbox = inbox
        let thread = Thread {
            Loop.run(inbox: inbox, maxConcurrent: maxConcurrent, idleConnectionTimeout: idleConnectionTimeout)
        }
        thread.name = name
        thread.start()
    }

    deinit {
        inbox.close()
    }

    /// Performs `request`. Cancelling the calling task removes a queued request, or aborts a running transfer at
    /// once, and throws `CancellationError`, as does calling this after `shutdown()`.
    public func perform(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await submit(request)
    }

    /// Submits `mail` over SMTP and returns the server's final reply: `250` when it took the message, or the
    /// `4xx`/`5xx` reply with which it refused a step. A reply is not an error; a transfer that fails without one
    /// (no connection, a timeout, TLS) throws `CurlError`. Cancellation behaves as for `perform(_:)`.
    ///
    /// libcurl waits for the reply to the end of the message *blocking* (its SMTP `DONE` step cannot wait
    /// otherwise), which holds this `CurlMulti`'s thread, and every other transfer on it, for the server's whole
    /// latency: submissions through one `CurlMulti` reach the server one at a time. `SMTPSessionPool` runs them in
    /// parallel, one `CurlMulti` per session.
    public func send(_ mail: SMTPRequest) async throws -> SMTPResponse {
        try await submit(mail)
    }

    /// Stops taking requests and returns once those already submitted have finished and the thread has freed
    /// every handle. Later calls of `perform`/`send` throw `CancellationError`.
    public func shutdown() async {
        await inbox.closeAndWait()
    }

    private func submit<Operation: CurlOperation>(_ operation: Operation) async throws -> Operation.Response {
        let inbox = self.inbox
        return try await CurlJob(operation).outcome(enqueue: inbox.enqueue, abort: inbox.abort)
    }
}
