import Foundation
import LeadflowDomain
import LeadflowProto
import LeadflowStore
import LeadflowTestKit
import Postgres
import Synchronization
import Testing

/// Opt-outs that hold in any order (issue 15): every ordering of upsert, enroll, unsubscribe (per channel and
/// for every channel), resubscribe and a dispatch in flight, run through the store as ingest and the
/// scheduler run it, against a real PostgreSQL.
@Suite("Opt-outs")
struct OptOutTests {
    /// A lead command of the orderings.
    enum Step: String, Sendable, CaseIterable, CustomTestStringConvertible {
        case upsert, enroll, unsubscribe, resubscribe
        var testDescription: String { rawValue }
    }

    static func orders(of steps: [Step]) -> [[Step]] {
        guard steps.count > 1 else { return [steps] }
        return steps.indices.flatMap { index in
            var rest = steps
            let first = rest.remove(at: index)
            return orders(of: rest).map { [first] + $0 }
        }
    }

    static let threeStepOrders = orders(of: [.upsert, .enroll, .unsubscribe])
    static let fourStepOrders = orders(of: [.upsert, .enroll, .unsubscribe, .resubscribe])

    @Test(
        "an unsubscribe holds whatever the order of upsert, enroll and unsubscribe: per channel it skips that channel, without one it stops everything",
        arguments: threeStepOrders, [Leadflow_V1_Channel.email, .sms, .unspecified])
    func unsubscribeInAnyOrder(order: [Step], channel: Leadflow_V1_Channel) async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.reach)
            for step in order {
                switch step {
                case .upsert: try await engine.upsert("lead-1", email: "ada@example.com")
                case .enroll: try await engine.enroll(["lead-1"], pipeline: "reach")
                case .unsubscribe: try await engine.unsubscribe("lead-1", channel: channel)
                case .resubscribe: Issue.record("not a step of this test")
                }
            }
            let sent = try await engine.drain()
            switch channel {
            case .email:
                #expect(sent == [.sms, .webhook])
                #expect(try await engine.actions(of: "lead-1") == ["email:canceled", "sms:succeeded", "webhook:succeeded"])
                #expect(try await engine.stages(of: "lead-1") == ["touch:completed"])
            case .sms:
                #expect(sent == [.email, .webhook])
                #expect(try await engine.actions(of: "lead-1") == ["email:succeeded", "sms:canceled", "webhook:succeeded"])
            default:
                #expect(sent.isEmpty)
                #expect(try await engine.stages(of: "lead-1").allSatisfy { $0 == "touch:unsubscribed" })
            }
            let reasons = try await engine.connection.query(
                "SELECT DISTINCT last_error FROM lead_stage_actions WHERE status = 'canceled' AND type <> 'webhook'"
            ).map { try $0.decode(String?.self, at: 0) }
            if channel != .unspecified { #expect(reasons == ["suppressed"]) }
            // The upsert, wherever it came, kept its fields and cleared nothing.
            let email = try await engine.connection.query(
                "SELECT email FROM leads WHERE external_id = 'lead-1'"
            ).scalar(String?.self)
            #expect(email == "ada@example.com")
        }
    }

    @Test(
        "of an unsubscribe and a resubscribe, the later one by occurred_at wins in every arrival order, and no upsert clears an opt-out",
        arguments: fourStepOrders, [true, false])
    func resubscribeInAnyOrder(order: [Step], resubscribedLater: Bool) async throws {
        for channel in [Leadflow_V1_Channel.email, .unspecified] {
            try await withEngine { engine in
                _ = try await engine.pipeline(TestPipelines.reach)
                _ = try await engine.pipeline(TestPipelines.again)
                let unsubscribedAt = Date().addingTimeInterval(-60)
                let resubscribedAt = unsubscribedAt.addingTimeInterval(resubscribedLater ? 30 : -30)
                for step in order {
                    switch step {
                    case .upsert: try await engine.upsert("lead-1", email: "ada@example.com")
                    case .enroll: try await engine.enroll(["lead-1"], pipeline: "reach")
                    case .unsubscribe: try await engine.unsubscribe("lead-1", channel: channel, at: unsubscribedAt)
                    case .resubscribe: try await engine.resubscribe("lead-1", channel: channel, at: resubscribedAt)
                    }
                }
                let sent = try await engine.drain()
                if !resubscribedLater {
                    #expect(!sent.contains(.email), "channel \(channel)")
                    if channel == .unspecified { #expect(sent.isEmpty) }
                }
                try await engine.enroll(["lead-1"], pipeline: "again")
                let later = try await engine.drain()
                #expect(later == (resubscribedLater ? [.email] : []), "channel \(channel)")
            }
        }
    }

    @Test(
        "an action in flight when the unsubscribe commits is not sent again, its late result changes nothing, and the pipeline goes on once",
        arguments: [ActionOutcome.Kind.succeeded, .retry(delay: .seconds(30)), .snoozed(delay: .seconds(30))],
        [true, false])
    func dispatchInFlight(outcome: ActionOutcome.Kind, resultFirst: Bool) async throws {
        for channel in [Leadflow_V1_Channel.email, .unspecified] {
            try await withEngine { engine in
                _ = try await engine.pipeline(TestPipelines.reach)
                try await engine.upsert("lead-1", email: "ada@example.com")
                try await engine.enroll(["lead-1"], pipeline: "reach")
                let (inFlight, _) = try await engine.claim()
                #expect(inFlight.dispatches.map(\.type) == [.email])
                let result = inFlight.dispatches.map { $0.outcome(outcome, error: "busy") }
                if resultFirst {
                    try await engine.apply(result)
                    try await engine.unsubscribe("lead-1", channel: channel)
                } else {
                    try await engine.unsubscribe("lead-1", channel: channel)
                    let late = try await engine.apply(result)
                    #expect(late.isEmpty, "a result for a canceled action is ignored")
                }
                try await engine.timeTravel()
                let sent = try await engine.drain()
                let emailStatus = resultFirst && outcome == .succeeded ? "email:succeeded" : "email:canceled"
                if channel == .email {
                    #expect(sent == [.sms, .webhook], "the email went out once; the rest once each")
                    #expect(try await engine.actions(of: "lead-1") == [emailStatus, "sms:succeeded", "webhook:succeeded"])
                } else {
                    #expect(sent.isEmpty)
                    #expect(try await engine.actions(of: "lead-1").first == emailStatus)
                    #expect(try await engine.stages(of: "lead-1") == ["touch:unsubscribed"])
                }
            }
        }
    }

    @Test("a result that would make an action of the channel due waits for the unsubscribe's commit, so no claim takes it")
    func resultWaitsForTheUnsubscribe() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            let (unsubscriber, resulter, claimer) = (
                try await PostgresConnection.connect(url: url), try await PostgresConnection.connect(url: url),
                try await PostgresConnection.connect(url: url)
            )
            let engine = Engine(connection: claimer)
            _ = try await engine.pipeline(TestPipelines.reach)
            try await engine.upsert("lead-1", email: "ada@example.com")
            try await engine.enroll(["lead-1"], pipeline: "reach")
            let (email, _) = try await engine.claim()
            #expect(email.dispatches.map(\.type) == [.email])

            // The SMS STOP's transaction stays open (its connection's own thread waits) while the email's success
            // is applied on another connection: the success's unblocking of the SMS must wait for it.
            let release = DispatchSemaphore(value: 0)
            // Should an expectation throw first, the transaction must still end rather than hang the run.
            defer { release.signal() }
            let locked = LockedFlag()
            let unsubscribing = Task {
                var message = Leadflow_V1_LeadUnsubscribe()
                message.externalID = "lead-1"
                message.channel = .sms
                try await unsubscriber.withTransaction { [message] connection in
                    var events = LeadEventLog(recording: false)
                    try LeadWriter.unsubscribe(
                        [.init(org: "acme", message)], defaultMaxAttempts: 3, events: &events, on: connection)
                    locked.set()
                    release.wait()
                }
            }
            try await eventually("the unsubscribe holds its locks") { locked.isSet }
            let applying = Task { try await Engine(connection: resulter).apply(email.dispatches.map { $0.outcome() }) }
            try await eventually("the success waits on a row lock") {
                try await claimer.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
                ).scalar(Int.self) == 1
            }
            let (meanwhile, _) = try await engine.claim()
            #expect(meanwhile.dispatches.isEmpty, "nothing of the lead is due before the unsubscribe commits")
            release.signal()
            try await unsubscribing.value
            _ = try await applying.value
            #expect(try await engine.drain() == [.webhook])
            #expect(try await engine.actions(of: "lead-1") == ["email:succeeded", "sms:canceled", "webhook:succeeded"])
            for connection in [unsubscriber, resulter, claimer] { await connection.close() }
        }
    }

    @Test("an unsubscribe for an unknown lead creates it suppressed and says so; a later upsert only updates it")
    func unknownLead() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.reach)
            let events = try await engine.unsubscribe("lead-1", channel: .sms, reason: "STOP keyword")
            #expect(events.map(\.kind) == [.created, .unsubscribed])
            #expect(events.last?.channel == .sms)
            #expect(events.last?.reason == "STOP keyword")
            #expect(Set(events.map(\.leadID)).count == 1 && events[0].leadID != 0)
            #expect(events.allSatisfy { $0.externalID == "lead-1" && $0.org == "acme" })

            try await engine.upsert("lead-1", email: "ada@example.com")
            try await engine.enroll(["lead-1"], pipeline: "reach")
            #expect(try await engine.drain() == [.email, .webhook])
        }
    }

    @Test("an occurred_at in the future counts as the commit time, so a later resubscribe still lifts the opt-out")
    func futureTimestamp() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.again)
            try await engine.unsubscribe("lead-1", channel: .email, at: Date().addingTimeInterval(365 * 86_400))
            try await engine.resubscribe("lead-1", channel: .email)
            try await engine.enroll(["lead-1"], pipeline: "again")
            #expect(try await engine.drain() == [.email])
        }
    }

    @Test("a resubscribe to one channel leaves an all-channel unsubscribe in force; an all-channel one lifts it")
    func resubscribeScope() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.again)
            try await engine.unsubscribe("lead-1")
            let partial = try await engine.resubscribe("lead-1", channel: .email)
            #expect(partial.map(\.kind) == [.resubscribed])
            try await engine.enroll(["lead-1"], pipeline: "again")
            #expect(try await engine.drain().isEmpty)

            let full = try await engine.resubscribe("lead-1")
            #expect(full.map(\.kind) == [.resubscribed] && full.first?.channel == .unspecified)
            try await engine.enroll(["lead-1"], pipeline: "again")
            #expect(try await engine.drain() == [.email])
            let unknown = try await engine.resubscribe("lead-new", channel: .sms)
            #expect(unknown.map(\.kind) == [.created, .resubscribed], "an opt-in is recorded for a new lead too")
            #expect(unknown.last?.channel == .sms)
        }
    }
}

/// Set once, from any thread: the signal that a transaction on a connection's own thread reached a point.
final class LockedFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

extension ActionOutcome.Kind: CustomTestStringConvertible {
    public var testDescription: String {
        switch self {
        case .succeeded: "succeeded"
        case .retry: "retry"
        case .failedPermanently: "failed permanently"
        case .inProgress: "in progress"
        case .snoozed: "snoozed"
        }
    }
}

extension Engine {
    /// Claims and succeeds every dispatch until nothing is left to claim; returns the types dispatched, in order.
    func drain() async throws -> [ActionType] {
        var sent: [ActionType] = []
        for _ in 0..<50 {
            let (claim, _) = try await self.claim()
            if claim.dispatches.isEmpty && claim.internalCount == 0 && claim.suppressedCount == 0 { return sent }
            sent += claim.dispatches.map(\.type)
            try await succeed(claim)
        }
        Issue.record("the claims did not run dry")
        return sent
    }
}
