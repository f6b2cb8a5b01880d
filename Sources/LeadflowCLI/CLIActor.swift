import Foundation
import LeadflowStore

/// Who an operator's act from this CLI is recorded as, in the lead history and the audit log.
enum CLIActor {
    /// `cli:<user>` (`$LEADFLOW_ACTOR` overrides it, e.g. for a ticket number).
    static var current: String {
        let environment = ProcessInfo.processInfo.environment
        if let actor = environment["LEADFLOW_ACTOR"], !actor.isEmpty { return actor }
        return "cli:\(environment["USER"] ?? environment["LOGNAME"] ?? "unknown")"
    }

    /// ``current`` as the audit log records it: no token.
    static var audit: AuditEntry.Actor { AuditEntry.Actor(tokenID: nil, name: current) }
}
