import LeadflowBus
import Logging
import ZeroMQ

/// Publishes lead events to ingest and returns once each is committed: the library other Swift services link.
///
/// One DEALER socket to ingest's ROUTER carries many messages at once (up to
/// ``Configuration/maxOutstanding``); each is re-sent with the same `Nats-Msg-Id` until `+OK`, so delivery is
/// at-least-once and ingest's deduplication makes it effectively once. A `-ERR` is final and surfaced as
/// ``LeadflowClientError/Code/rejected``. One client per process is typical; it is safe to share between tasks.
public final class LeadflowClient: Sendable {
    public let configuration: Configuration
    let requester: AckRequester
    let window: PublishWindow
    let closing = ClosingSignal()
    let logger: Logger

    init(configuration: Configuration, requester: AckRequester, logger: Logger) {
        self.configuration = configuration
        self.requester = requester
        self.window = PublishWindow(capacity: configuration.maxOutstanding)
        self.logger = logger
    }

    /// Connects to ingest's ROUTER at `endpoint` (e.g. `tcp://ingest:4222`).
    ///
    /// Returns at once: ZeroMQ connects in the background and reconnects after ingest restarts; messages
    /// published meanwhile wait for the connection and are retried as configured. Pass `context` to share one
    /// ZeroMQ context with the process's other sockets (required for `inproc://` endpoints).
    public static func connect(
        to endpoint: String, configuration: Configuration = Configuration(), context: ZMQContext? = nil,
        logger: Logger
    ) async throws(LeadflowClientError) -> LeadflowClient {
        try configuration.validate()
        do {
            let requester = try await AckRequester.start(
                context: context ?? ZMQContext(), name: configuration.name, endpoints: [.connect(endpoint)],
                options: configuration.socketOptions, logger: logger)
            logger.debug("connecting to ingest", metadata: ["zmq.endpoint": "\(endpoint)"])
            return LeadflowClient(configuration: configuration, requester: requester, logger: logger)
        } catch {
            throw LeadflowClientError(code: .invalidEndpoint, detail: "cannot connect to '\(endpoint)': \(error)")
        }
    }

    /// Publishes one message and returns its receipt once ingest committed it.
    ///
    /// Waits for a slot while ``Configuration/maxOutstanding`` messages are outstanding. Throws
    /// ``LeadflowClientError`` with code `rejected` (ingest's `-ERR`, not retried), `timedOut` (no ack within
    /// the deadline or the attempts), `closed` or `cancelled`.
    public func publish(_ publication: Publication) async throws(LeadflowClientError) -> Receipt {
        do {
            try await window.acquire()
        } catch {
            throw refused(publication, error)
        }
        defer { window.release() }
        return try await deliver(publication)
    }

    /// Messages sent and not yet answered (and so holding a slot of the window).
    public var outstanding: Int { window.inUse }

    /// Closes the connection. Publishes still waiting — for a slot, for an ack, or between attempts — fail
    /// with ``LeadflowClientError/Code/closed``; so do later ones.
    public func close() async {
        closing.close()
        window.close()
        await requester.close()
    }

    /// Sends `publication` until `+OK`, `-ERR`, the deadline or the last attempt; the caller holds a slot.
    func deliver(_ publication: Publication) async throws(LeadflowClientError) -> Receipt {
        let msgID = publication.msgID
        let start = ContinuousClock.now
        let deadline = start + configuration.deadline
        var attempt = 0
        while true {
            attempt += 1
            let remaining = ContinuousClock.now.duration(to: deadline)
            switch await send(publication, timeout: min(configuration.attemptTimeout, remaining)) {
            case .ack(.ok):
                return Receipt(msgID: msgID, attempts: attempt, latency: start.duration(to: .now))
            case .ack(.error(_, let reason)):
                logger.debug(
                    "ingest rejected a message",
                    metadata: ["msg.id": "\(msgID)", "bus.subject": "\(publication.subject)", "ingest.reason": "\(reason)"])
                throw LeadflowClientError(
                    code: .rejected, detail: "ingest rejected \(publication.subject): \(reason)", msgID: msgID,
                    attempts: attempt, rejection: Rejection(reason: reason))
            case .closed:
                throw LeadflowClientError(
                    code: .closed,
                    detail: "client closed while waiting for the ack; ingest may have committed the message, "
                        + "so publish it again with the same msg id to be sure", msgID: msgID, attempts: attempt)
            case .cancelled:
                throw cancelled(msgID: msgID, attempts: attempt)
            case .timedOut:
                break
            }
            let pause = configuration.retry.delay(afterAttempt: attempt)
            let elapsed = start.duration(to: .now)
            if attempt == configuration.maxAttempts || elapsed + pause >= configuration.deadline {
                throw LeadflowClientError(
                    code: .timedOut, detail: "no ack from ingest for \(publication.subject) within \(elapsed)",
                    msgID: msgID, attempts: attempt)
            }
            logger.debug(
                "no ack in time; sending again with the same msg id",
                metadata: ["msg.id": "\(msgID)", "retry.attempt": "\(attempt + 1)", "retry.delay": "\(pause)"])
            guard await closing.sleep(for: pause) else {
                if Task.isCancelled { throw cancelled(msgID: msgID, attempts: attempt) }
                throw LeadflowClientError(
                    code: .closed, detail: "client closed while waiting to send again", msgID: msgID, attempts: attempt)
            }
        }
    }

    private enum AttemptOutcome {
        case ack(Ack)
        case timedOut
        case closed
        case cancelled
    }

    private func send(_ publication: Publication, timeout: Duration) async -> AttemptOutcome {
        do {
            return .ack(try await requester.request(publication.envelope, timeout: timeout))
        } catch AckError.timedOut {
            return .timedOut
        } catch is CancellationError {
            return .cancelled
        } catch {
            // AckError.closed, or the socket loop refusing the message because it is closing.
            return .closed
        }
    }

    func refused(_ publication: Publication, _ refusal: PublishWindow.Refusal) -> LeadflowClientError {
        switch refusal {
        case .closed:
            LeadflowClientError(code: .closed, detail: "client is closed; nothing was sent", msgID: publication.msgID)
        case .cancelled:
            cancelled(msgID: publication.msgID, attempts: 0)
        }
    }

    private func cancelled(msgID: String, attempts: Int) -> LeadflowClientError {
        LeadflowClientError(
            code: .cancelled,
            detail: attempts == 0
                ? "cancelled before sending" : "cancelled while waiting for the ack; publish again with the same msg id",
            msgID: msgID, attempts: attempts)
    }
}
