import Testing

@testable import LeadflowDomain

@Suite("Action lifecycle")
struct ActionStatusTests {
    static let allowed: Set<String> = [
        "blocked→pending", "pending→dispatched", "pending→waiting", "pending→succeeded",
        "dispatched→succeeded", "dispatched→pending", "dispatched→dead", "waiting→succeeded", "dead→pending",
        "blocked→canceled", "pending→canceled", "dispatched→canceled", "waiting→canceled", "dead→canceled",
        // A paused pipeline: held and back; a late success of its attempt before; canceled with the lead's stage.
        "pending→held", "held→pending", "held→succeeded", "held→canceled",
    ]

    @Test("exactly the documented transitions are allowed", arguments: ActionStatus.allCases)
    func transitions(from: ActionStatus) {
        for to in ActionStatus.allCases {
            let key = "\(from.rawValue)→\(to.rawValue)"
            #expect(from.canTransition(to: to) == Self.allowed.contains(key), "\(key)")
        }
    }

    @Test("final statuses are succeeded, dead and canceled")
    func finalStatuses() {
        #expect(ActionStatus.allCases.filter(\.isFinal) == [.succeeded, .dead, .canceled])
    }

    @Test("raw values match the database's CHECK constraints")
    func rawValues() {
        #expect(ActionStatus.allCases.map(\.rawValue) == ["blocked", "pending", "held", "dispatched", "succeeded", "waiting", "dead", "canceled"])
        #expect(ActionType.allCases.map(\.rawValue) == ["email", "sms", "webhook", "wait", "wait_for_reply", "move", "end"])
        #expect(ActionType.external == [.email, .sms, .webhook])
    }
}
