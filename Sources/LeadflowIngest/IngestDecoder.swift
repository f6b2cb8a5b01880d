import LeadflowBus
import LeadflowDomain
import LeadflowPipeline
import LeadflowProto
import SwiftProtobuf

/// Turns a received envelope into an ``IngestMessage`` or the ``IngestRejection`` to answer with.
///
/// Everything that can be checked without the database is checked here, in the order a client would fix
/// it: the envelope, the subject, the msg id, the payload and its required fields. References to stored
/// data (organization, pipeline) are resolved later, for a whole batch at once. A `Traceparent` that is not valid
/// rejects nothing: the message gets a new trace instead, as W3C Trace Context asks of receivers.
public struct IngestDecoder: Sendable {
    /// Longest accepted `Nats-Msg-Id`, organization id and external id, in bytes.
    public static let maxMsgIDBytes = 255
    public static let maxOrgBytes = 64
    public static let maxExternalIDBytes = 255

    public init() {}

    public func decode(_ received: Result<Envelope, EnvelopeError>) -> Result<IngestMessage, IngestRejection> {
        Result { () throws(IngestRejection) in
            switch received {
            case .success(let envelope): return try decode(envelope)
            case .failure(let error): throw IngestRejection(error)
            }
        }
    }

    public func decode(_ envelope: Envelope) throws(IngestRejection) -> IngestMessage {
        let tokens = envelope.subject.tokens
        guard tokens.count == 3 else {
            throw IngestRejection(.unknownSubject, "expected <kind>.<verb>.<org>, got \(tokens.count) tokens")
        }
        let org = String(tokens[2])
        guard org.utf8.count <= Self.maxOrgBytes else {
            throw IngestRejection(.invalidSubject, "organization id is longer than \(Self.maxOrgBytes) bytes")
        }
        let kind = "\(tokens[0]).\(tokens[1])"
        guard let msgID = envelope.msgID, !msgID.isEmpty else {
            throw IngestRejection(.missingMsgID, "no \(Headers.Name.msgID) header")
        }
        guard msgID.utf8.count <= Self.maxMsgIDBytes else {
            throw IngestRejection(.missingMsgID, "\(Headers.Name.msgID) is longer than \(Self.maxMsgIDBytes) bytes")
        }
        let command: IngestCommand
        switch kind {
        case "lead.upsert": command = .upsertLead(try payload(envelope, Leadflow_V1_LeadUpsert.self))
        case "lead.enroll": command = .enroll(try payload(envelope, Leadflow_V1_LeadEnroll.self))
        case "lead.reply": command = .reply(try payload(envelope, Leadflow_V1_LeadReply.self))
        case "lead.unsubscribe": command = .unsubscribe(try payload(envelope, Leadflow_V1_LeadUnsubscribe.self))
        case "lead.resubscribe": command = .resubscribe(try payload(envelope, Leadflow_V1_LeadResubscribe.self))
        case "lead.delete": command = .delete(try payload(envelope, Leadflow_V1_LeadDelete.self))
        case "pipeline.upsert": command = .upsertPipeline(try payload(envelope, Leadflow_V1_PipelineDefinition.self))
        default: throw IngestRejection(.unknownSubject, "'\(kind)' is not an ingest subject")
        }
        try validate(command)
        let sent = envelope.headers.values(for: Headers.Name.traceparent)
        let received = sent.count == 1 ? TraceParent(sent[0]) : nil
        return IngestMessage(
            org: org, msgID: msgID, subject: envelope.subject, command: command, traceparent: sent.first,
            trace: received ?? .random(), hasInvalidTraceparent: !sent.isEmpty && received == nil)
    }

    private func payload<M: SwiftProtobuf.Message>(_ envelope: Envelope, _ type: M.Type) throws(IngestRejection) -> M {
        do {
            return try envelope.decode(type)
        } catch {
            throw IngestRejection(error)
        }
    }

    private func requireKnown(_ channel: Leadflow_V1_Channel) throws(IngestRejection) {
        if case .UNRECOGNIZED(let number) = channel {
            throw IngestRejection(.invalidPayload, "channel \(number) is not a known Channel")
        }
    }

    /// The required fields of each command (the `.proto` comments say which).
    private func validate(_ command: IngestCommand) throws(IngestRejection) {
        if let externalID = command.externalID {
            guard !externalID.isEmpty else { throw IngestRejection(.invalidPayload, "external_id is required") }
            guard externalID.utf8.count <= Self.maxExternalIDBytes else {
                throw IngestRejection(.invalidPayload, "external_id is longer than \(Self.maxExternalIDBytes) bytes")
            }
        }
        switch command {
        case .enroll(let enroll):
            guard !enroll.pipeline.isEmpty else { throw IngestRejection(.invalidPayload, "pipeline is required") }
        case .reply(let reply):
            guard reply.channel != .unspecified else { throw IngestRejection(.invalidPayload, "channel is required") }
        case .upsertPipeline(let definition):
            let issues = PipelineValidator().issues(in: definition)
            if !issues.isEmpty {
                throw IngestRejection(.invalidPayload, issues.map(\.description).joined(separator: "; "))
            }
        case .unsubscribe(let unsubscribe):
            try requireKnown(unsubscribe.channel)
        case .resubscribe(let resubscribe):
            // An unknown number must not read as CHANNEL_UNSPECIFIED, which would lift every suppression.
            try requireKnown(resubscribe.channel)
        case .upsertLead, .delete:
            break
        }
    }
}
