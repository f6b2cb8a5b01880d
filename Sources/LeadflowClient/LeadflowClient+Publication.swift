import LeadflowBus
import LeadflowProto
import SwiftProtobuf

extension LeadflowClient {
    /// One message ready to publish: subject, headers and encoded payload, validated and given its msg id.
    ///
    /// Making a publication sends nothing; publishing the same publication twice sends the same msg id, which
    /// ingest deduplicates.
    public struct Publication: Sendable {
        public let envelope: Envelope
        /// The `Nats-Msg-Id`: the caller's, or a generated one.
        public let msgID: String

        /// A message on any subject; `subject` must be a publishable NATS subject (no wildcards).
        public init(
            subject: String, message: some SwiftProtobuf.Message, msgID: String? = nil, traceparent: String? = nil
        ) throws(LeadflowClientError) {
            let validSubject: Subject
            do {
                validSubject = try Subject(subject)
            } catch {
                throw LeadflowClientError(code: .invalidMessage, detail: "invalid subject: \(error)", msgID: msgID)
            }
            try self.init(validSubject, message, msgID: msgID, traceparent: traceparent)
        }

        init(
            _ subject: Subject, _ message: some SwiftProtobuf.Message, msgID: String?, traceparent: String?
        ) throws(LeadflowClientError) {
            let msgID = msgID ?? MsgIDGenerator.process.next()
            func invalid(_ detail: String) -> LeadflowClientError {
                LeadflowClientError(code: .invalidMessage, detail: "\(subject): \(detail)", msgID: msgID)
            }
            guard !msgID.isEmpty else { throw invalid("the msg id is empty") }
            var headers = Headers()
            do {
                try headers.append(Headers.Name.msgID, msgID)
            } catch {
                throw invalid("the msg id is not a valid header value: \(error)")
            }
            if let traceparent {
                do {
                    try headers.append(Headers.Name.traceparent, traceparent)
                } catch {
                    throw invalid("the traceparent is not a valid header value: \(error)")
                }
            }
            do {
                envelope = try Envelope(subject: subject, message: message, headers: headers)
            } catch {
                throw invalid("\(type(of: message).protoMessageName) cannot be encoded: \(error)")
            }
            let limit = BusLimits.default.maxPayloadBytes
            guard envelope.payload.count <= limit else {
                throw invalid("the payload is \(envelope.payload.count) bytes; ingest accepts at most \(limit)")
            }
            self.msgID = msgID
        }

        public var subject: Subject { envelope.subject }

        public static func upsertLead(
            org: String, _ lead: Leadflow_V1_LeadUpsert, msgID: String? = nil, traceparent: String? = nil
        ) throws(LeadflowClientError) -> Publication {
            try Publication(IngestSubject.leadUpsert.subject(org: org), lead, msgID: msgID, traceparent: traceparent)
        }

        public static func enroll(
            org: String, _ enrollment: Leadflow_V1_LeadEnroll, msgID: String? = nil, traceparent: String? = nil
        ) throws(LeadflowClientError) -> Publication {
            try Publication(IngestSubject.leadEnroll.subject(org: org), enrollment, msgID: msgID, traceparent: traceparent)
        }

        public static func reply(
            org: String, _ reply: Leadflow_V1_LeadReply, msgID: String? = nil, traceparent: String? = nil
        ) throws(LeadflowClientError) -> Publication {
            try Publication(IngestSubject.leadReply.subject(org: org), reply, msgID: msgID, traceparent: traceparent)
        }

        public static func unsubscribe(
            org: String, _ unsubscribe: Leadflow_V1_LeadUnsubscribe, msgID: String? = nil, traceparent: String? = nil
        ) throws(LeadflowClientError) -> Publication {
            try Publication(
                IngestSubject.leadUnsubscribe.subject(org: org), unsubscribe, msgID: msgID, traceparent: traceparent)
        }

        public static func resubscribe(
            org: String, _ resubscribe: Leadflow_V1_LeadResubscribe, msgID: String? = nil, traceparent: String? = nil
        ) throws(LeadflowClientError) -> Publication {
            try Publication(
                IngestSubject.leadResubscribe.subject(org: org), resubscribe, msgID: msgID, traceparent: traceparent)
        }

        public static func deleteLead(
            org: String, _ delete: Leadflow_V1_LeadDelete, msgID: String? = nil, traceparent: String? = nil
        ) throws(LeadflowClientError) -> Publication {
            try Publication(IngestSubject.leadDelete.subject(org: org), delete, msgID: msgID, traceparent: traceparent)
        }

        public static func upsertPipeline(
            org: String, _ pipeline: Leadflow_V1_PipelineDefinition, msgID: String? = nil, traceparent: String? = nil
        ) throws(LeadflowClientError) -> Publication {
            try Publication(
                IngestSubject.pipelineUpsert.subject(org: org), pipeline, msgID: msgID, traceparent: traceparent)
        }
    }
}
