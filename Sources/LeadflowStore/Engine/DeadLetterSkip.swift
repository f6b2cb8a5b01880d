import LeadflowDomain
import Postgres

/// An action a replay or discard left alone, and why.
public struct DeadLetterSkip: Sendable, Hashable, CustomStringConvertible {
    /// Why an action cannot be replayed (or, for ``notFound`` and ``notDead``, discarded).
    public enum Reason: Sendable, Hashable, CustomStringConvertible {
        /// No action has this id (its lead or organization may have been removed).
        case notFound
        /// The action is not dead (any more): pending again after a replay, canceled after a discard, …
        case notDead(ActionStatus)
        /// The lead's personal data was erased; nothing more is done for it.
        case leadDeleted
        /// The lead unsubscribed; nothing more is sent to it.
        case leadUnsubscribed
        /// The lead has left the stage the action belongs to (`lead_stages.exit_reason`, e.g. `moved`), so the
        /// action is history: replaying it would run a step of a stage the lead is no longer in.
        case stageLeft(exitReason: String)

        public var description: String {
            switch self {
            case .notFound: "no such action"
            case .notDead(let status): "not dead (\(status.rawValue))"
            case .leadDeleted: "the lead was deleted"
            case .leadUnsubscribed: "the lead unsubscribed"
            case .stageLeft(let exitReason): "the lead left the action's stage (\(exitReason))"
            }
        }

        /// What keeps an action from being replayed, as a code: NULL when it can be. Every dead-letter
        /// statement selects it (over `lead_stage_actions a`, `leads l`, `lead_stages ls`) and a replay changes
        /// exactly the rows where it is NULL, so listings and replays apply one rule. Deletion and
        /// unsubscription are named before the stage exit they cause.
        static let replayBlockerSQL = """
            CASE WHEN a.status <> 'dead' THEN 'not_dead'
                 WHEN l.deleted_at IS NOT NULL THEN 'lead_deleted'
                 WHEN \(Suppressions.isUnsubscribedFromAll(lead: "l.id")) THEN 'lead_unsubscribed'
                 WHEN ls.exited_at IS NOT NULL THEN 'stage_left'
            END
            """

        /// Reads a ``replayBlockerSQL`` column at `index` followed by `lead_stages.exit_reason`; nil when the
        /// action can be replayed.
        init?(replayBlocker row: PostgresRow, at index: Int, status: ActionStatus) throws {
            switch try row.decode(String?.self, at: index) {
            case nil: return nil
            case "not_dead": self = .notDead(status)
            case "lead_deleted": self = .leadDeleted
            case "lead_unsubscribed": self = .leadUnsubscribed
            case "stage_left": self = .stageLeft(exitReason: try row.decode(String?.self, at: index + 1) ?? "exited")
            case let code?: throw PostgresError(kind: .decoding, message: "unknown replay blocker \(code)")
            }
        }
    }

    public let actionID: Int
    public let reason: Reason

    public init(actionID: Int, reason: Reason) {
        self.actionID = actionID
        self.reason = reason
    }

    public var description: String { "\(actionID): \(reason)" }
}
