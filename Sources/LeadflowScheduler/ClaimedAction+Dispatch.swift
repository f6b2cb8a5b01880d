import Foundation
import LeadflowBus
import LeadflowPipeline
import LeadflowProto
import LeadflowStore
import SwiftProtobuf

extension ClaimedAction {
    /// The `action.<type>` envelope handlers receive; `Nats-Msg-Id` names the action and attempt, and
    /// `Traceparent` a child of the action's trace (the dispatch is a step of its own in the trace).
    func dispatchEnvelope(config: Leadflow_V1_Action, deadline: Date, now: Date) throws -> Envelope {
        var dispatch = Leadflow_V1_ActionDispatch()
        dispatch.actionID = Int64(actionID)
        dispatch.attempt = UInt32(clamping: attempt)
        dispatch.org = org
        dispatch.actionType = type.proto
        dispatch.lead = lead
        dispatch.idempotencyKey = idempotencyKey
        dispatch.deadline = Google_Protobuf_Timestamp(date: deadline)
        dispatch.dispatchedAt = Google_Protobuf_Timestamp(date: now)
        dispatch.dueAt = Google_Protobuf_Timestamp(date: dueAt)
        switch config.config {
        case .email(let email): dispatch.email = email
        case .sms(let sms): dispatch.sms = sms
        case .webhook(let webhook): dispatch.webhook = webhook
        case .wait, .waitForReply, .move, .end, nil: break
        }
        var headers = Headers()
        try headers.append(Headers.Name.msgID, "\(actionID)-\(attempt)")
        try headers.append(Headers.Name.attempt, String(attempt))
        try headers.append(Headers.Name.traceparent, trace.child().description)
        return try Envelope(subject: Subject(tokens: ["action", type.rawValue]), message: dispatch, headers: headers)
    }
}
