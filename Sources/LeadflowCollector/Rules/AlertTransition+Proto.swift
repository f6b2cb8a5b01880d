import Foundation
import LeadflowProto
import SwiftProtobuf

extension AlertTransition {
    /// The transition as the `alert.>` wire message.
    public var message: Leadflow_V1_Alert {
        var message = Leadflow_V1_Alert()
        message.rule = alert.rule
        message.severity =
            switch alert.severity {
            case .info: .info
            case .warning: .warning
            case .error: .error
            case .critical: .critical
            }
        message.state = state == .firing ? .firing : .resolved
        message.summary = alert.summary
        message.labels = alert.labels
        message.value = alert.value
        message.threshold = alert.threshold
        message.startedAt = Google_Protobuf_Timestamp(date: alert.startedAt)
        if let endedAt { message.endedAt = Google_Protobuf_Timestamp(date: endedAt) }
        return message
    }
}
