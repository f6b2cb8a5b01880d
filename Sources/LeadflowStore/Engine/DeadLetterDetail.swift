import Foundation
import Postgres

/// Everything about one action the dead-letter tools show: the listed fields, its key, its timestamps and the
/// configuration of the pipeline action it runs.
public struct DeadLetterDetail: Sendable, Hashable {
    public let letter: DeadLetter
    /// Sent to providers as `Idempotency-Key`; a replay keeps it.
    public let idempotencyKey: String
    public let leadStageID: Int
    /// Position of the action in its stage (0 for the first).
    public let seq: Int
    public let createdAt: Date
    /// When its last attempt was dispatched (nil when it never was).
    public let dispatchedAt: Date?
    /// When it was (or is) due.
    public let performAt: Date?
    public let updatedAt: Date
    /// The pipeline action's configuration as JSON (`pipeline_stage_actions.config`).
    public let configJSON: String

    /// The select list after ``DeadLetter/columns``.
    static let columns = """
        a.idempotency_key, a.lead_stage_id, a.seq, a.created_at, a.dispatched_at, a.perform_at, a.updated_at,
        pa.config::text
        """

    init(row: PostgresRow) throws {
        letter = try DeadLetter(row: row)
        let first = DeadLetter.columnCount
        idempotencyKey = try row.decode(String.self, at: first)
        leadStageID = try row.decode(Int.self, at: first + 1)
        seq = try row.decode(Int.self, at: first + 2)
        createdAt = try row.decode(Date.self, at: first + 3)
        dispatchedAt = try row.decode(Date?.self, at: first + 4)
        performAt = try row.decode(Date?.self, at: first + 5)
        updatedAt = try row.decode(Date.self, at: first + 6)
        configJSON = try row.decode(String.self, at: first + 7)
    }
}
