import Foundation
import HTTPTypes
import Hummingbird
import LeadflowAdminAPI
import LeadflowDomain
import LeadflowSecrets
import LeadflowStore
import Logging
import NIOCore
import Postgres

// The audit log's page, for admin tokens.
extension Console {
    func audit(_ request: Request, _ session: ConsoleSession) async throws -> (page: String, context: [String: Any]) {
        let query = try Self.readQuery(of: request)
        let org = query.text("org")
        let action = query.text("action")
        guard action.map({ Components.Schemas.AuditAction(rawValue: $0) != nil }) ?? true else {
            throw AdminProblem(.badRequest, "action is not one of the audit log's actions", field: "action")
        }
        let page = try await api.listAudit(
            .init(query: .init(org: org, action: action.flatMap(Components.Schemas.AuditAction.init(rawValue:)), limit: 50, cursor: query.text("cursor")))
        ).ok.body.json
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var context: [String: Any] = [
            "title": "Audit log", "org": org ?? "",
            "actions": Components.Schemas.AuditAction.allCases.map { ["value": $0.rawValue, "selected": $0.rawValue == action] as [String: Any] },
            "entries": try page.entries.map { entry -> [String: Any] in
                [
                    "when": Self.time(entry.at), "at": RFC3339Time.string(entry.at), "actor": entry.actor.name,
                    "action": entry.action.rawValue, "organizations": entry.organizations.joined(separator: ", "),
                    "target": entry.target, "rows": entry.rowsAffected,
                    "detail": String(decoding: try encoder.encode(entry.detail), as: UTF8.self),
                ]
            },
            "hasEntries": !page.entries.isEmpty,
        ]
        if let next = page.nextCursor {
            var link = "/console/audit?cursor=\(Self.percentEncoded(next))"
            if let org { link += "&org=\(Self.percentEncoded(org))" }
            if let action { link += "&action=\(Self.percentEncoded(action))" }
            context["next"] = link
        }
        return ("audit", context)
    }
}
