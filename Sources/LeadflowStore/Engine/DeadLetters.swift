import Foundation
import LeadflowDomain
import Postgres

/// The dead-letter tools behind `leadflow dlq`: list dead actions, show one, replay them with a fresh attempt
/// budget, or discard them — one statement per operation, whatever the number of actions (docs/dead-letters.md).
///
/// Every function runs on the caller's connection inside the caller's transaction.
public enum DeadLetters {
    /// One page of a listing, the newest death first.
    public struct Page: Sendable, Hashable {
        public var letters: [DeadLetter]
        /// Where the next page starts; nil on the last page.
        public var next: DeadLetterCursor?
    }

    /// The actions a replay or discard is about.
    public enum Selection: Sendable, Hashable {
        /// These actions; those that are not dead, or cannot be replayed, are reported as skipped.
        case ids([Int])
        /// Every dead action the filter matches (an empty filter: all of them); the ones a replay cannot take
        /// are reported as skipped.
        case matching(DeadLetterFilter)
    }

    /// What a replay or discard did, or in a dry run would do.
    public struct Report: Sendable, Hashable {
        /// Actions replayed (pending again) or discarded (canceled), in id order.
        public var applied: [Int] = []
        /// Actions left alone, in id order.
        public var skipped: [DeadLetterSkip] = []
    }

    /// Dead actions matching `filter`, the newest death first, at most `limit` of them, after `cursor`.
    public static func list(
        _ filter: DeadLetterFilter, after cursor: DeadLetterCursor? = nil, limit: Int,
        on connection: isolated PostgresConnection
    ) throws -> Page {
        precondition(limit > 0, "a page holds at least one dead letter")
        // One row more than asked says whether there is a next page.
        let rows = try connection.query(
            listStatement, filter.parameters + [cursor?.completedAt, cursor?.id, limit + 1])
        var letters = try rows.map(DeadLetter.init(row:))
        guard letters.count > limit else { return Page(letters: letters, next: nil) }
        letters.removeLast()
        let last = letters[letters.count - 1]
        return Page(letters: letters, next: last.completedAt.map { DeadLetterCursor(completedAt: $0, id: last.id) })
    }

    /// The action with `id` in any status (so a replayed or discarded one can still be looked at); nil when
    /// there is none.
    public static func show(_ id: Int, on connection: isolated PostgresConnection) throws -> DeadLetterDetail? {
        try connection.query(showStatement, [id]).first.map(DeadLetterDetail.init(row:))
    }

    /// Makes the selected dead actions `pending`, due now, with `attempts = 0` — a fresh attempt budget — and
    /// the same idempotency key; `last_error` stays until the next attempt reports. Actions of a lead stage
    /// the lead has left (moved on, deleted, unsubscribed) are skipped: the lead is no longer where the step
    /// belongs. Records an `action_replayed` event per action and wakes the schedulers (`NOTIFY`, delivered on
    /// commit) so they claim at once.
    public static func replay(
        _ selection: Selection, dryRun: Bool = false, events: inout LeadEventLog,
        on connection: isolated PostgresConnection
    ) throws -> Report {
        let result = try change(selection, dryRun ? nil : replayChange, applies: { $0.blocker == nil }, on: connection)
        for done in result.changed {
            events.record(.actionReplayed, org: done.org, leadID: done.leadID, externalID: done.externalID) { event in
                event.actionID = Int64(done.actionID)
                event.actionType = done.type.proto
                if let error = done.lastError { event.error = error }
            }
        }
        if !result.changed.isEmpty {
            try SchedulerWakeup.notify(organizations: result.changed.map(\.org), on: connection)
        }
        return result.report
    }

    /// Takes the selected dead actions out of the dead letters: they become `canceled`, with a note before
    /// their last error. The lead's stage stays stopped where it was (the following actions stay `blocked`);
    /// an enroll naming another stage moves the lead on.
    public static func discard(
        _ selection: Selection, dryRun: Bool = false, on connection: isolated PostgresConnection
    ) throws -> Report {
        try change(selection, dryRun ? nil : discardChange, applies: { $0.status == .dead }, on: connection).report
    }

    /// An action a replay or discard selected, before any change.
    struct Target {
        let actionID: Int
        let status: ActionStatus
        let blocker: DeadLetterSkip.Reason?
    }

    /// An action a replay or discard changed, with what its lead event needs.
    struct Changed {
        let actionID: Int
        let type: ActionType
        let leadID: Int
        let org: String
        let externalID: String
        let lastError: String?
    }

    /// Runs a selection with a change (nil: a dry run, where `applies` says which targets would change).
    private static func change(
        _ selection: Selection, _ change: String?, applies: (Target) -> Bool,
        on connection: isolated PostgresConnection
    ) throws -> (report: Report, changed: [Changed]) {
        let (condition, parameters): (String, [any PostgresEncodable]) =
            switch selection {
            case .ids(let ids): ("a.id = ANY ($1::bigint[])", [ids])
            case .matching(let filter): (filterCondition, filter.parameters)
            }
        let rows = try connection.query(changeStatement(selecting: condition, change: change), parameters)
        var targets: [Target] = []
        var changed: [Changed] = []
        for row in rows {
            if try row.decode(Bool.self, at: 0) {
                changed.append(
                    Changed(
                        actionID: try row.decode(Int.self, at: 1), type: try row.decode(ActionType.self, at: 5),
                        leadID: try row.decode(Int.self, at: 6), org: try row.decode(String.self, at: 7),
                        externalID: try row.decode(String.self, at: 8), lastError: try row.decode(String?.self, at: 9)))
            } else {
                let status = try row.decode(ActionStatus.self, at: 2)
                targets.append(
                    Target(
                        actionID: try row.decode(Int.self, at: 1), status: status,
                        blocker: try DeadLetterSkip.Reason(replayBlocker: row, at: 3, status: status)))
            }
        }
        let applied = change == nil ? Set(targets.filter(applies).map(\.actionID)) : Set(changed.map(\.actionID))
        var report = Report(applied: applied.sorted())
        for target in targets where !applied.contains(target.actionID) {
            report.skipped.append(
                DeadLetterSkip(actionID: target.actionID, reason: target.blocker ?? .notDead(target.status)))
        }
        if case .ids(let ids) = selection {
            let found = Set(targets.map(\.actionID))
            for id in Set(ids).subtracting(found) {
                report.skipped.append(DeadLetterSkip(actionID: id, reason: .notFound))
            }
        }
        report.skipped.sort { $0.actionID < $1.actionID }
        return (report, changed)
    }
}
