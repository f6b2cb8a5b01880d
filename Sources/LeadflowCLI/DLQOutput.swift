import Foundation
import LeadflowStore

/// How `leadflow dlq` prints dead letters: aligned text for people, or JSON (`--json`) for scripts.
enum DLQOutput {
    static func table(_ page: DeadLetters.Page) -> String {
        guard !page.letters.isEmpty else { return "no dead letters" }
        var table = TextTable([
            .init("ID", maxWidth: 20), .init("ORG", maxWidth: 24), .init("TYPE"), .init("LEAD", maxWidth: 30),
            .init("PIPELINE/STAGE", maxWidth: 32), .init("ATTEMPTS"), .init("DIED"), .init("REPLAY", maxWidth: 24),
            .init("LAST ERROR", maxWidth: 50),
        ])
        for letter in page.letters {
            table.append([
                "\(letter.id)", letter.org, letter.type.rawValue, letter.externalID, "\(letter.pipeline)/\(letter.stage)",
                "\(letter.attempts)/\(letter.maxAttempts)", time(letter.completedAt), replay(letter.replayBlocker),
                letter.lastError ?? "",
            ])
        }
        var text = table.rendered()
        text += "\n\(page.letters.count) dead letter\(page.letters.count == 1 ? "" : "s")"
        if let next = page.next { text += "; next page: --cursor \(next)" }
        return text
    }

    static func detail(_ detail: DeadLetterDetail) -> String {
        let letter = detail.letter
        let lines: [(String, String)] = [
            ("action", "\(letter.id) (\(letter.type.rawValue), step \(detail.seq + 1) of its stage)"),
            ("status", letter.status.rawValue),
            ("organization", letter.org),
            ("lead", "\(letter.externalID) (id \(letter.leadID))"),
            ("pipeline/stage", "\(letter.pipeline)/\(letter.stage) (lead stage \(detail.leadStageID))"),
            ("attempts", "\(letter.attempts) of \(letter.maxAttempts)"),
            ("last error", letter.lastError ?? "-"),
            ("idempotency key", detail.idempotencyKey),
            ("created", time(detail.createdAt)),
            ("dispatched", time(detail.dispatchedAt)),
            ("due", time(detail.performAt)),
            ("died", time(letter.completedAt)),
            ("updated", time(detail.updatedAt)),
            ("replay", replay(letter.replayBlocker, long: true)),
        ]
        let width = (lines.map(\.0.count).max() ?? 0) + 2
        let body = lines.map { name, value in
            // A multi-line value (an SMTP reply, say) continues under its first line.
            "\(name):" + String(repeating: " ", count: width - name.count - 1)
                + indented(value, by: width).dropFirst(width)
        }
        return (body + ["config:", indented(prettyJSON(detail.configJSON), by: 2)]).joined(separator: "\n")
    }

    /// `replayed 2: 17, 18` (or `would replay …` in a dry run), then one line per skipped action.
    static func report(_ report: DeadLetters.Report, verb: DLQVerb, dryRun: Bool) -> String {
        let done = dryRun ? "would \(verb.present)" : verb.past
        let ids = report.applied.map(String.init).joined(separator: ", ")
        var lines = ["\(done) \(report.applied.count)" + (ids.isEmpty ? "" : ": \(ids)")]
        lines += report.skipped.map { "skipped \($0.actionID): \($0.reason)" }
        return lines.joined(separator: "\n")
    }

    static func time(_ date: Date?) -> String {
        date.map { $0.formatted(Date.ISO8601FormatStyle()) } ?? "-"
    }

    private static func replay(_ blocker: DeadLetterSkip.Reason?, long: Bool = false) -> String {
        guard let blocker else { return "yes" }
        if long { return "no: \(blocker)" }
        return switch blocker {
        case .stageLeft(let reason): "no: stage left (\(reason))"
        case .leadDeleted: "no: lead deleted"
        case .leadUnsubscribed: "no: unsubscribed"
        case .notDead(let status): "no: \(status.rawValue)"
        case .notFound: "no: not found"
        }
    }

    private static func prettyJSON(_ text: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        else { return text }
        return String(decoding: data, as: UTF8.self)
    }

    private static func indented(_ text: String, by width: Int) -> String {
        let margin = String(repeating: " ", count: width)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { margin + $0 }.joined(separator: "\n")
    }
}
