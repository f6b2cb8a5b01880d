import LeadflowDomain
import LeadflowStore
import Postgres
import Testing

/// The trace of an enroll stays with the lead's work: stored with the lead stage, returned by every claim of its
/// actions, inherited by the stages the lead goes on to, and attached to the lead's events.
@Suite("Trace context in the store")
struct TraceContextTests {
    static let trace = TraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")!

    /// The lead's id by external id.
    static func leadID(_ externalID: String, _ engine: Engine) async throws -> Int {
        try #require(
            try await engine.connection.query("SELECT id FROM leads WHERE external_id = $1", [externalID])
                .scalar(Int.self))
    }

    @Test("an enroll's trace is stored with the lead stage, and the claimed action returns it")
    func enrollThenClaim() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            let log = try await engine.enrollRecording(["lead-1"], pipeline: "steps", trace: Self.trace)
            let leadID = try await Self.leadID("lead-1", engine)
            #expect(log.traces[leadID] == Self.trace)
            let stored = try await engine.connection.query("SELECT trace_parent FROM lead_stages").scalar(String.self)
            #expect(stored == Self.trace.description)

            let (claim, events) = try await engine.claimRecording()
            let dispatch = try #require(claim.dispatches.first)
            #expect(dispatch.type == .email)
            #expect(dispatch.trace == Self.trace)
            #expect(events.events.contains { $0.kind == .actionDispatched })
            #expect(events.traces[leadID] == Self.trace)
        }
    }

    @Test("every later action of the stage and of the stages after it carries the enroll's trace")
    func followUpsInherit() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["lead-1"], pipeline: "steps", trace: Self.trace)
            var seen: [String] = []
            // email, wait (internal, run with the email's result), sms, then the webhook of the second stage,
            // which the last success enters.
            for _ in 0..<6 {
                let (claim, _) = try await engine.claim()
                for dispatch in claim.dispatches {
                    seen.append(dispatch.type.rawValue)
                    #expect(dispatch.trace == Self.trace, "\(dispatch.type)")
                }
                let applied = try await engine.applyReporting(claim.dispatches.map { $0.outcome() })
                for action in claim.internalActions + applied.internalActions {
                    seen.append(action.type.rawValue)
                    #expect(action.trace == Self.trace, "\(action.type)")
                }
            }
            #expect(seen == ["email", "wait", "sms", "webhook"])
            let stages = try await engine.connection.query("SELECT DISTINCT trace_parent FROM lead_stages")
                .map { try $0.decode(String.self, at: 0) }
            #expect(stages == [Self.trace.description])
            #expect(try await engine.stages(of: "lead-1") == ["first:completed", "second:completed"])
        }
    }

    @Test("a move and an end run in the enroll's trace, and the stage moved to keeps it")
    func movesInherit() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.router)
            try await engine.enroll(["lead-1"], pipeline: "router", trace: Self.trace)
            let (claim, _) = try await engine.claim()
            #expect(claim.internalActions.map(\.type) == [.move, .end])
            #expect(claim.internalActions.map(\.trace) == [Self.trace, Self.trace])
            #expect(try await engine.stages(of: "lead-1") == ["a:moved", "c:ended"])
        }
    }

    @Test("a reply's events carry the reply's trace; the stage it leads to keeps the lead's trace")
    func replies() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.chat)
            try await engine.enroll(["lead-1"], pipeline: "chat", trace: Self.trace)
            let (waiting, _) = try await engine.claim()
            #expect(waiting.internalActions.map(\.trace) == [Self.trace])
            let replyTrace = TraceParent.random()
            let log = try await engine.reply("lead-1", channel: .sms, trace: replyTrace)
            #expect(log.traces[try await Self.leadID("lead-1", engine)] == replyTrace)
            let (claim, _) = try await engine.claim()
            #expect(claim.dispatches.map(\.type) == [.webhook])
            #expect(claim.dispatches.map(\.trace) == [Self.trace])
        }
    }

    @Test("an action of a lead stage without a trace (from before migration 8) gets a new one at each claim")
    func rowsWithoutTrace() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["lead-1", "lead-2"], pipeline: "steps")
            #expect(try await engine.count("SELECT count(*) FROM lead_stages WHERE trace_parent IS NULL") == 2)
            // A value that is not a traceparent (edited by hand) counts as none.
            try await engine.connection.execute(
                "UPDATE lead_stages SET trace_parent = 'nonsense' WHERE lead_id = $1",
                [try await Self.leadID("lead-2", engine)])
            let (claim, _) = try await engine.claim()
            #expect(claim.dispatches.count == 2)
            let traces = claim.dispatches.map(\.trace)
            #expect(Set(traces.map(\.traceID)).count == 2)
            #expect(traces.allSatisfy { TraceParent($0.description) == $0 && $0.isSampled })
        }
    }
}

extension Engine {
    func count(_ sql: String) async throws -> Int {
        try await connection.query(sql).scalar(Int.self) ?? 0
    }
}
