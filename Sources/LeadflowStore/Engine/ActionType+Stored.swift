import LeadflowDomain
import Postgres

extension ActionType {
    /// The type a stored name stands for (`lead_stage_actions.type`, `organization_channels.channel`, …). A name
    /// this version does not know — written by a newer version, or by hand — is a decoding error naming `table`,
    /// never a guess: treated as another type, an action would go out on the wrong channel or be held back by
    /// another channel's limits.
    static func stored(_ name: String, in table: String) throws(PostgresError) -> ActionType {
        guard let type = ActionType(rawValue: name) else {
            throw PostgresError(kind: .decoding, message: "unknown action type \(name) in \(table)")
        }
        return type
    }
}
