import Foundation
import LeadflowStore

/// How the lead commands print: aligned text for people, JSON for scripts.
enum LeadOutput {
    /// `lead show --json`.
    struct Shown: Encodable {
        var lead: LeadRecord
        var openActions: [ActionWait]
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func text(_ lead: LeadRecord, _ waits: [ActionWait]) -> String {
        var lines = [
            "lead \(lead.externalID) (id \(lead.id)) of \(lead.org)",
            "  email: \(lead.email ?? "-")   phone: \(lead.phone ?? "-")   name: \([lead.firstName, lead.lastName].compactMap { $0 }.joined(separator: " "))",
            "  created \(lead.createdAt.formatted(.iso8601)), updated \(lead.updatedAt.formatted(.iso8601))"
                + (lead.deletedAt.map { ", deleted \($0.formatted(.iso8601))" } ?? ""),
        ]
        guard !waits.isEmpty else {
            lines.append("no open actions")
            return lines.joined(separator: "\n")
        }
        var table = TextTable([
            .init("ACTION"), .init("TYPE"), .init("PIPELINE / STAGE", maxWidth: 30), .init("STATUS"),
            .init("ATTEMPTS"), .init("WHY", maxWidth: 110),
        ])
        for wait in waits {
            table.append([
                "\(wait.actionID)", wait.type, "\(wait.pipeline) / \(wait.stage)", wait.status,
                "\(wait.attempts)/\(wait.maxAttempts)", wait.explanation,
            ])
        }
        lines.append("")
        lines.append(table.rendered())
        return lines.joined(separator: "\n")
    }

    static func text(_ entries: [LeadHistoryEntry]) -> String {
        guard !entries.isEmpty else { return "no history (history.enabled may be false, or it was erased)" }
        var table = TextTable([
            .init("TIME", maxWidth: 30), .init("EVENT", maxWidth: 20), .init("WHERE", maxWidth: 30),
            .init("ACTION", maxWidth: 24), .init("DETAIL", maxWidth: 100),
        ])
        for entry in entries {
            let place = [entry.pipeline, entry.stage].compactMap { $0 }.joined(separator: " / ")
            let action = entry.actionID.map { id in
                "\(id) \(entry.actionType ?? "")" + (entry.attempt.map { " #\($0)" } ?? "")
            } ?? ""
            var detail: [String] = []
            if let channel = entry.channel { detail.append("channel \(channel)") }
            if let reason = entry.reason { detail.append("reason \(reason)") }
            if let error = entry.error { detail.append("error: \(error)") }
            if let due = entry.dueAt { detail.append("due \(due.formatted(.iso8601))") }
            if let id = entry.providerMessageID { detail.append("provider id \(id)") }
            if let ms = entry.durationMilliseconds { detail.append("took \(Int(ms.rounded())) ms") }
            if let source = entry.source { detail.append("source \(source)") }
            if let actor = entry.actor { detail.append("by \(actor)") }
            table.append([
                entry.occurredAt.formatted(.iso8601.time(includingFractionalSeconds: true).year().month().day()),
                entry.kind, place, action, detail.joined(separator: "; "),
            ])
        }
        return table.rendered()
    }
}
