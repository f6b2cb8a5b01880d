import Foundation
import LeadflowProto

/// What recording an opt-out or an opt-in needs of its command (`LeadUnsubscribe`, `LeadResubscribe`), so one
/// piece of code records both.
protocol SuppressionCommand: Sendable {
    var externalID: String { get }
    var channel: Leadflow_V1_Channel { get }
    /// `occurred_at`; `nil` when absent (the transaction's time counts).
    var occurredAtDate: Date? { get }
    var sourceIfSet: String? { get }
    var reasonIfSet: String? { get }
}

extension Leadflow_V1_LeadUnsubscribe: SuppressionCommand {
    var occurredAtDate: Date? { hasOccurredAt ? occurredAt.date : nil }
    var sourceIfSet: String? { hasSource ? source : nil }
    var reasonIfSet: String? { hasReason ? reason : nil }
}

extension Leadflow_V1_LeadResubscribe: SuppressionCommand {
    var occurredAtDate: Date? { hasOccurredAt ? occurredAt.date : nil }
    var sourceIfSet: String? { hasSource ? source : nil }
    var reasonIfSet: String? { hasReason ? reason : nil }
}
