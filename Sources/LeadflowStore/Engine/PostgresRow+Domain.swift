import LeadflowDomain
import Postgres

extension PostgresRow {
    /// The `lead_stage_actions.type` (or `pipeline_stage_actions.type`) column at `index`.
    func decode(_: ActionType.Type, at index: Int) throws -> ActionType {
        try .stored(try decode(String.self, at: index), in: "lead_stage_actions")
    }

    /// The `lead_stage_actions.status` column at `index`.
    func decode(_: ActionStatus.Type, at index: Int) throws -> ActionStatus {
        let name = try decode(String.self, at: index)
        guard let status = ActionStatus(rawValue: name) else {
            throw PostgresError(kind: .decoding, message: "unknown action status \(name) in lead_stage_actions")
        }
        return status
    }

    /// The `lead_stages.trace_parent` column at `index`: `nil` when NULL — a row from before migration 8 — or not
    /// a valid `traceparent` (the column is only written from parsed values, so that takes a manual edit).
    func decode(_: TraceParent?.Type, at index: Int) throws -> TraceParent? {
        try decode(String?.self, at: index).flatMap(TraceParent.init)
    }
}
