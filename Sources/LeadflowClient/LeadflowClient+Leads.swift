import LeadflowProto
import SwiftProtobuf

extension LeadflowClient {
    /// Creates or updates a lead (`lead.upsert.<org>`).
    public func upsertLead(
        org: String, _ lead: Leadflow_V1_LeadUpsert, msgID: String? = nil, traceparent: String? = nil
    ) async throws(LeadflowClientError) -> Receipt {
        try await publish(.upsertLead(org: org, lead, msgID: msgID, traceparent: traceparent))
    }

    /// Puts a lead into a pipeline (`lead.enroll.<org>`). Publish the lead and the pipeline first and wait for
    /// their receipts: messages outstanding at the same time may be processed in any order.
    public func enroll(
        org: String, _ enrollment: Leadflow_V1_LeadEnroll, msgID: String? = nil, traceparent: String? = nil
    ) async throws(LeadflowClientError) -> Receipt {
        try await publish(.enroll(org: org, enrollment, msgID: msgID, traceparent: traceparent))
    }

    /// Records that a lead replied on a channel (`lead.reply.<org>`).
    public func reply(
        org: String, _ reply: Leadflow_V1_LeadReply, msgID: String? = nil, traceparent: String? = nil
    ) async throws(LeadflowClientError) -> Receipt {
        try await publish(.reply(org: org, reply, msgID: msgID, traceparent: traceparent))
    }

    /// Records that a lead opted out of a channel, or of every channel (`lead.unsubscribe.<org>`); a lead not
    /// known yet is created suppressed.
    public func unsubscribe(
        org: String, _ unsubscribe: Leadflow_V1_LeadUnsubscribe, msgID: String? = nil, traceparent: String? = nil
    ) async throws(LeadflowClientError) -> Receipt {
        try await publish(.unsubscribe(org: org, unsubscribe, msgID: msgID, traceparent: traceparent))
    }

    /// Lifts a lead's opt-out from a channel, or from every channel, after it explicitly opted in again
    /// (`lead.resubscribe.<org>`).
    public func resubscribe(
        org: String, _ resubscribe: Leadflow_V1_LeadResubscribe, msgID: String? = nil, traceparent: String? = nil
    ) async throws(LeadflowClientError) -> Receipt {
        try await publish(.resubscribe(org: org, resubscribe, msgID: msgID, traceparent: traceparent))
    }

    /// Erases a lead (`lead.delete.<org>`).
    public func deleteLead(
        org: String, _ delete: Leadflow_V1_LeadDelete, msgID: String? = nil, traceparent: String? = nil
    ) async throws(LeadflowClientError) -> Receipt {
        try await publish(.deleteLead(org: org, delete, msgID: msgID, traceparent: traceparent))
    }

    /// Defines or replaces a pipeline (`pipeline.upsert.<org>`).
    public func upsertPipeline(
        org: String, _ pipeline: Leadflow_V1_PipelineDefinition, msgID: String? = nil, traceparent: String? = nil
    ) async throws(LeadflowClientError) -> Receipt {
        try await publish(.upsertPipeline(org: org, pipeline, msgID: msgID, traceparent: traceparent))
    }

    /// Publishes `message` on any subject, e.g. one a newer ingest accepts that this client has no method for.
    public func publish(
        subject: String, message: some SwiftProtobuf.Message, msgID: String? = nil, traceparent: String? = nil
    ) async throws(LeadflowClientError) -> Receipt {
        try await publish(Publication(subject: subject, message: message, msgID: msgID, traceparent: traceparent))
    }
}
