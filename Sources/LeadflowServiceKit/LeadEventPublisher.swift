import LeadflowBus
import LeadflowDomain
import LeadflowProto
import Logging

/// Publishes lead events on `lead.<event>.<org>` (docs/protocol.md §5); never blocks the service that
/// produced them: events that do not fit a slow subscriber's pipe are dropped and counted.
public struct LeadEventPublisher: Sendable {
    let publisher: BusPublisher
    let logger: Logger

    public init(publisher: BusPublisher, logger: Logger) {
        self.publisher = publisher
        self.logger = logger
    }

    /// Publishes `events` in order, each with the `Traceparent` of its lead's work from `traces` (by lead id)
    /// when there is one; returns how many were dropped.
    @discardableResult
    public func publish(_ events: [Leadflow_V1_LeadEvent], traces: [Int: TraceParent] = [:]) -> Int {
        var dropped = 0
        for event in events {
            do {
                let subject = try Subject(tokens: ["lead", event.kind.subjectToken, event.org])
                var headers = Headers()
                if let trace = traces[Int(event.leadID)] {
                    try headers.append(Headers.Name.traceparent, trace.description)
                }
                if !publisher.publish(try Envelope(subject: subject, message: event, headers: headers)) { dropped += 1 }
            } catch {
                logger.warning(
                    "lead event not published", metadata: ["org.id": "\(event.org)", "error": "\(error)"])
            }
        }
        return dropped
    }

    /// The endpoint actually bound (a `tcp://…:*` port resolved).
    public func boundEndpoint() async throws -> String { try await publisher.boundEndpoint() }

    /// Flushes what is queued for at most `drainTimeout`, then closes the socket.
    public func close(drainTimeout: Duration = .seconds(1)) async { await publisher.close(drainTimeout: drainTimeout) }
}
