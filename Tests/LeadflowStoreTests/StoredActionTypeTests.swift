import LeadflowDomain
import Postgres
import Testing

@testable import LeadflowStore

/// Stored action type names are read by one rule, which never guesses.
@Suite("Stored action types")
struct StoredActionTypeTests {
    @Test("every type reads back from its stored name", arguments: ActionType.allCases)
    func knownNames(type: ActionType) throws {
        #expect(try ActionType.stored(type.rawValue, in: "lead_stage_actions") == type)
    }

    @Test("a name this version does not know is a decoding error naming the name and the table", arguments: ["push", "", "Email"])
    func unknownNames(name: String) {
        let error = #expect(throws: PostgresError.self) { try ActionType.stored(name, in: "organization_channels") }
        #expect(error?.kind == .decoding)
        #expect(error?.message == "unknown action type \(name) in organization_channels")
    }
}
