import Foundation
import LeadflowStore

extension DLQOutput {
    static func json(_ page: DeadLetters.Page) -> String {
        render(["dead_letters": page.letters.map(object), "next_cursor": page.next.map { "\($0)" } ?? NSNull()])
    }

    static func json(_ detail: DeadLetterDetail) -> String {
        var fields = object(detail.letter)
        fields["idempotency_key"] = detail.idempotencyKey
        fields["lead_stage_id"] = detail.leadStageID
        fields["seq"] = detail.seq
        fields["created_at"] = jsonTime(detail.createdAt)
        fields["dispatched_at"] = jsonTime(detail.dispatchedAt)
        fields["perform_at"] = jsonTime(detail.performAt)
        fields["updated_at"] = jsonTime(detail.updatedAt)
        fields["config"] = (try? JSONSerialization.jsonObject(with: Data(detail.configJSON.utf8))) ?? detail.configJSON
        return render(fields)
    }

    static func json(_ report: DeadLetters.Report, verb: DLQVerb, dryRun: Bool) -> String {
        render([
            "dry_run": dryRun,
            verb.past: report.applied,
            "skipped": report.skipped.map { ["id": $0.actionID, "reason": "\($0.reason)"] as [String: Any] },
        ])
    }

    private static func object(_ letter: DeadLetter) -> [String: Any] {
        [
            "id": letter.id, "org": letter.org, "type": letter.type.rawValue, "status": letter.status.rawValue,
            "lead_id": letter.leadID, "external_id": letter.externalID, "pipeline": letter.pipeline,
            "stage": letter.stage, "attempts": letter.attempts, "max_attempts": letter.maxAttempts,
            "last_error": letter.lastError ?? NSNull(), "completed_at": jsonTime(letter.completedAt),
            "replayable": letter.replayBlocker == nil,
            "replay_blocker": letter.replayBlocker.map { "\($0)" } ?? NSNull(),
        ]
    }

    private static func jsonTime(_ date: Date?) -> Any {
        date.map { $0.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)) } ?? NSNull()
    }

    private static func render(_ object: [String: Any]) -> String {
        // Only strings, numbers, booleans, arrays, dictionaries and NSNull go in, so this cannot fail.
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
