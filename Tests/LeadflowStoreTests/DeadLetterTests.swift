import Foundation
import LeadflowDomain
import LeadflowProto
import Postgres
import Testing

@testable import LeadflowStore

/// Dead letters made through the real path (claim, then a permanent failure or retries until the attempts
/// run out), then listed, shown, replayed and discarded.
@Suite("Dead letters")
struct DeadLetterTests {
    @Test("a dead action stops its lead's stage: the following actions stay blocked, the stage stays open")
    func deadStopsTheStage() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["perm", "tired"], pipeline: "steps")
            try await engine.kill("perm", error: "550 no such user")
            try await engine.exhaust("tired", error: "HTTP 503")
            for lead in ["perm", "tired"] {
                #expect(try await engine.actions(of: lead) == ["email:dead", "wait:blocked", "sms:blocked"])
                #expect(try await engine.stages(of: lead) == ["first:open"])
            }
            try await engine.timeTravel()
            let (claim, _) = try await engine.claim()
            #expect(claim.dispatches.isEmpty && claim.internalCount == 0, "nothing after a dead action is due")
        }
    }

    @Test("list filters by organization, type, time of death and error text, newest first")
    func listFilters() async throws {
        try await withEngine { engine in
            try await engine.deadLetterZoo()
            let all = try await engine.deadLetters()
            #expect(all.map(\.externalID) == ["sms-dead", "beta-503", "acme-503", "acme-550"])
            #expect(all.allSatisfy { $0.status == .dead && $0.replayBlocker == nil })
            let died = all.compactMap(\.completedAt)
            #expect(died == died.sorted(by: >), "newest death first")

            #expect(try await engine.deadLetters(.init(org: "acme")).map(\.externalID) == ["sms-dead", "acme-503", "acme-550"])
            #expect(try await engine.deadLetters(.init(org: "nobody")).isEmpty)
            #expect(try await engine.deadLetters(.init(type: .sms)).map(\.externalID) == ["sms-dead"])
            #expect(try await engine.deadLetters(.init(type: .webhook)).isEmpty)
            #expect(
                try await engine.deadLetters(.init(since: Date().addingTimeInterval(-3600))).map(\.externalID)
                    == ["sms-dead", "beta-503", "acme-503"], "acme-550 died two hours ago")
            #expect(try await engine.deadLetters(.init(errorContains: "http 503")).map(\.externalID) == ["beta-503", "acme-503"])
            #expect(try await engine.deadLetters(.init(errorContains: "5_3")).isEmpty, "_ is not a wildcard")
            #expect(try await engine.deadLetters(.init(errorContains: "100%")).map(\.externalID) == ["sms-dead"])
            #expect(
                try await engine.deadLetters(.init(org: "acme", type: .email, errorContains: "503")).map(\.externalID)
                    == ["acme-503"])
            // A token's organizations (the admin API): only theirs, combined with the other filters.
            #expect(try await engine.deadLetters(.init(organizations: ["beta"])).map(\.externalID) == ["beta-503"])
            #expect(try await engine.deadLetters(.init(org: "acme", organizations: ["beta"])).isEmpty)
            #expect(try await engine.deadLetters(.init(organizations: ["acme", "beta"])).count == 4)
            #expect(try await engine.deadLetters(.init(organizations: [])).isEmpty)
        }
    }

    @Test("list pages with a cursor: no row twice, none left out")
    func listPages() async throws {
        try await withEngine { engine in
            try await engine.deadLetterZoo()
            var seen: [String] = []
            var cursor: DeadLetterCursor?
            var pages = 0
            repeat {
                let page = try await engine.connection.withTransaction { [cursor] in
                    try DeadLetters.list(DeadLetterFilter(), after: cursor, limit: 3, on: $0)
                }
                seen += page.letters.map(\.externalID)
                cursor = page.next.flatMap { DeadLetterCursor($0.description) }
                pages += 1
            } while cursor != nil
            #expect(pages == 2)
            #expect(seen == ["sms-dead", "beta-503", "acme-503", "acme-550"])
        }
    }

    @Test("show gives the lead, pipeline and stage, attempts, error, key, timestamps and config")
    func show() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["lead-1"], pipeline: "steps")
            let claimed = try await engine.exhaust("lead-1", error: "HTTP 503")
            let detail = try #require(try await engine.show(claimed.actionID))
            #expect(detail.letter.externalID == "lead-1")
            #expect(detail.letter.org == "acme")
            #expect(detail.letter.type == .email)
            #expect(detail.letter.status == .dead)
            #expect((detail.letter.pipeline, detail.letter.stage) == ("steps", "first"))
            #expect((detail.letter.attempts, detail.letter.maxAttempts) == (3, 3))
            #expect(detail.letter.lastError == "HTTP 503")
            #expect(detail.idempotencyKey == claimed.idempotencyKey)
            #expect(detail.seq == 0)
            #expect(detail.dispatchedAt != nil && detail.letter.completedAt != nil)
            #expect(detail.configJSON.contains("Hi {{first_name}}"), "\(detail.configJSON)")
            #expect(try await engine.show(claimed.actionID + 1000) == nil)
        }
    }

    @Test("replay: pending now with attempts 0 and the same key; dispatched again as attempt 1; success continues the stage")
    func replay() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["lead-1"], pipeline: "steps")
            let dead = try await engine.exhaust("lead-1", error: "HTTP 503")
            let (report, events) = try await engine.replay(.ids([dead.actionID]))
            #expect(report.applied == [dead.actionID])
            #expect(report.skipped.isEmpty)
            #expect(events.map(\.kind) == [.actionReplayed])
            #expect(events.first?.actionID == Int64(dead.actionID))
            #expect(events.first?.externalID == "lead-1")
            #expect(events.first?.error == "HTTP 503")

            let detail = try #require(try await engine.show(dead.actionID))
            #expect(detail.letter.status == .pending)
            #expect(detail.letter.attempts == 0)
            #expect(detail.letter.completedAt == nil)
            #expect(detail.letter.lastError == "HTTP 503", "kept for audit until the next attempt reports")
            #expect(detail.idempotencyKey == dead.idempotencyKey)
            #expect(try await engine.deadLetters().isEmpty)

            let (claim, _) = try await engine.claim()
            let again = try #require(claim.dispatches.first)
            #expect(again.actionID == dead.actionID)
            #expect(again.attempt == 1)
            #expect(again.idempotencyKey == dead.idempotencyKey)
            try await engine.succeed(claim)
            #expect(try await engine.actions(of: "lead-1") == ["email:succeeded", "wait:succeeded", "sms:pending"])
        }
    }

    @Test("replay notifies the schedulers' channel on commit")
    func replayWakesSchedulers() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["lead-1"], pipeline: "steps")
            let dead = try await engine.kill("lead-1", error: "550 no such user")
            try await PostgresConnection.withConnection(configuration: engine.connection.configuration) { listener in
                try await listener.listen(SchedulerWakeup.channel)
                _ = try await engine.replay(.ids([dead.actionID]), dryRun: true)
                #expect(try await listener.waitForNotifications(timeout: .milliseconds(300)).isEmpty, "a dry run notifies nobody")
                _ = try await engine.replay(.ids([dead.actionID]))
                let received = try await listener.waitForNotifications(timeout: .seconds(10))
                #expect(received.map(\.channel) == [SchedulerWakeup.channel])
            }
        }
    }

    @Test("replay skips what is not dead, not there, or whose lead has left the stage, deleted or unsubscribed")
    func replayRefuses() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["moved", "deleted", "unsubscribed", "stays", "alive"], pipeline: "steps")
            let moved = try await engine.kill("moved", error: "550")
            let deleted = try await engine.kill("deleted", error: "550")
            let unsubscribed = try await engine.kill("unsubscribed", error: "550")
            let stays = try await engine.kill("stays", error: "550")
            let alive = try await engine.actionID(of: "alive")
            try await engine.enroll(["moved"], pipeline: "steps", stage: "second")
            try await engine.delete("deleted")
            try await engine.unsubscribe("unsubscribed")
            #expect(try await engine.actions(of: "moved") == ["email:dead", "wait:canceled", "sms:canceled", "webhook:pending"])

            let blockers = Dictionary(
                uniqueKeysWithValues: try await engine.deadLetters().map { ($0.externalID, $0.replayBlocker) })
            #expect(blockers["moved"] == .stageLeft(exitReason: "moved"))
            #expect(blockers["deleted"] == .leadDeleted)
            #expect(blockers["unsubscribed"] == .leadUnsubscribed)
            #expect(blockers["stays"] == .some(nil))

            let missing = stays.actionID + 10_000
            let (dry, _) = try await engine.replay(
                .ids([moved.actionID, deleted.actionID, unsubscribed.actionID, stays.actionID, alive, missing]),
                dryRun: true)
            #expect(dry.applied == [stays.actionID])
            #expect(try await engine.show(stays.actionID)?.letter.status == .dead, "a dry run changes nothing")

            let (report, events) = try await engine.replay(
                .ids([moved.actionID, deleted.actionID, unsubscribed.actionID, stays.actionID, alive, missing]))
            #expect(report == dry)
            #expect(report.applied == [stays.actionID])
            #expect(events.count == 1)
            #expect(
                Set(report.skipped) == [
                    DeadLetterSkip(actionID: moved.actionID, reason: .stageLeft(exitReason: "moved")),
                    DeadLetterSkip(actionID: deleted.actionID, reason: .leadDeleted),
                    DeadLetterSkip(actionID: unsubscribed.actionID, reason: .leadUnsubscribed),
                    DeadLetterSkip(actionID: alive, reason: .notDead(.pending)),
                    DeadLetterSkip(actionID: missing, reason: .notFound),
                ])
            #expect(try await engine.actions(of: "moved") == ["email:dead", "wait:canceled", "sms:canceled", "webhook:pending"])

            let (byFilter, _) = try await engine.replay(.matching(DeadLetterFilter()))
            #expect(byFilter.applied.isEmpty, "the rest belong to stages their leads have left")
            #expect(byFilter.skipped.map(\.actionID) == [moved.actionID, deleted.actionID, unsubscribed.actionID].sorted())
        }
    }

    @Test("replay by filter takes only the dead actions it matches")
    func replayByFilter() async throws {
        try await withEngine { engine in
            try await engine.deadLetterZoo()
            let (report, events) = try await engine.replay(.matching(DeadLetterFilter(org: "acme", errorContains: "503")))
            #expect(report.applied.count == 1)
            #expect(report.skipped.isEmpty)
            #expect(events.map(\.externalID) == ["acme-503"])
            #expect(try await engine.deadLetters().map(\.externalID) == ["sms-dead", "beta-503", "acme-550"])
            #expect(try await engine.actions(of: "acme-503").first == "email:pending")
        }
    }

    @Test("discard cancels the dead action with a note; the stage stays stopped; it is no longer listed or replayable")
    func discard() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["lead-1", "lead-2"], pipeline: "steps")
            let first = try await engine.kill("lead-1", error: "550 no such user")
            let second = try await engine.kill("lead-2", error: "HTTP 400")

            let dry = try await engine.discard(.ids([first.actionID]), dryRun: true)
            #expect(dry.applied == [first.actionID])
            #expect(try await engine.deadLetters().count == 2, "a dry run changes nothing")

            let report = try await engine.discard(.matching(DeadLetterFilter(errorContains: "550")))
            #expect(report.applied == [first.actionID])
            #expect(try await engine.actions(of: "lead-1") == ["email:canceled", "wait:blocked", "sms:blocked"])
            #expect(try await engine.stages(of: "lead-1") == ["first:open"])
            let detail = try #require(try await engine.show(first.actionID))
            #expect(detail.letter.lastError == "discarded from the dead letters; last error: 550 no such user")
            #expect(detail.letter.completedAt != nil, "completed_at keeps the time it died")
            #expect(try await engine.deadLetters().map(\.id) == [second.actionID])

            let again = try await engine.discard(.ids([first.actionID, second.actionID]))
            #expect(again.applied == [second.actionID])
            #expect(again.skipped == [DeadLetterSkip(actionID: first.actionID, reason: .notDead(.canceled))])
            let (replay, _) = try await engine.replay(.ids([first.actionID]))
            #expect(replay.skipped == [DeadLetterSkip(actionID: first.actionID, reason: .notDead(.canceled))])
        }
    }

    @Test(
        "listing and selecting one organization's dead letters read lead_stage_actions_dead_idx among many finished actions",
        arguments: ["list", "replay"])
    func deadIndexUsed(_ statement: String) async throws {
        try await withMigratedDatabase { connection in
            try await connection.executeScript(SchemaTests.manyFinishedActions)
            let filter = DeadLetterFilter(org: "tiny").parameters
            let (sql, parameters): (String, [any PostgresEncodable]) =
                statement == "list"
                ? (DeadLetters.listStatement, filter + [Date?.none, Int?.none, 51])
                : (DeadLetters.changeStatement(selecting: DeadLetters.filterCondition, change: DeadLetters.replayChange), filter)
            let plan = try await connection.query("EXPLAIN (FORMAT JSON) \(sql)", parameters).scalar(String.self) ?? ""
            let nodes = planNodes(try JSONSerialization.jsonObject(with: Data(plan.utf8)))
            #expect(nodes.contains { $0["Index Name"] as? String == "lead_stage_actions_dead_idx" }, "\(plan)")
            #expect(
                !nodes.contains { $0["Node Type"] as? String == "Seq Scan" && $0["Relation Name"] as? String == "lead_stage_actions" },
                "\(plan)")
        }
    }

    /// Every node of an `EXPLAIN (FORMAT JSON)` plan.
    private func planNodes(_ json: Any) -> [[String: Any]] {
        if let list = json as? [Any] { return list.flatMap(planNodes) }
        guard let object = json as? [String: Any] else { return [] }
        let own = object["Node Type"] == nil ? [] : [object]
        return own + object.values.flatMap(planNodes)
    }

    @Test("cursors print and parse; malformed ones are rejected", arguments: ["", "12", "a-1", "1-b", "1-2-3", "-1-2", "5-0"])
    func malformedCursor(_ text: String) {
        #expect(DeadLetterCursor(text) == nil)
    }

    @Test("a cursor's text round-trips to the microsecond")
    func cursorRoundTrip() throws {
        let cursor = DeadLetterCursor(completedAt: Date(timeIntervalSince1970: 1_793_527_200.123456), id: 42)
        let parsed = try #require(DeadLetterCursor(cursor.description))
        #expect(parsed.description == "1793527200123456-42")
        #expect(parsed == DeadLetterCursor("1793527200123456-42"))
    }
}

extension Engine {
    /// Claims the lead's pending email and fails it permanently: dead at once.
    @discardableResult
    func kill(_ externalID: String, error: String) async throws -> ClaimedAction {
        let action = try await claimOne(externalID)
        try await apply([ActionOutcome(actionID: action.actionID, attempt: action.attempt, kind: .failedPermanently, error: error)])
        return action
    }

    /// Claims and retries the lead's pending email until its attempts run out: dead after the last.
    @discardableResult
    func exhaust(_ externalID: String, error: String) async throws -> ClaimedAction {
        while true {
            let action = try await claimOne(externalID)
            try await apply([ActionOutcome(actionID: action.actionID, attempt: action.attempt, kind: .retry(delay: .zero), error: error)])
            if action.attempt == settings.defaultMaxAttempts { return action }
        }
    }

    /// Claims due work until the lead's external action is dispatched; others claimed on the way are retried
    /// at once with their attempt given back (snoozed), so they stay as they were.
    private func claimOne(_ externalID: String) async throws -> ClaimedAction {
        let (claim, _) = try await claim()
        let others = claim.dispatches.filter { $0.lead.externalID != externalID }
        try await apply(others.map { $0.outcome(.snoozed(delay: .zero)) })
        return try #require(claim.dispatches.first { $0.lead.externalID == externalID })
    }

    /// The id of the lead's first action.
    func actionID(of externalID: String) async throws -> Int {
        try #require(
            try await connection.query(
                """
                SELECT a.id FROM lead_stage_actions a JOIN leads l ON l.id = a.lead_id
                WHERE l.external_id = $1 ORDER BY a.lead_stage_id, a.seq LIMIT 1
                """, [externalID]
            ).scalar(Int.self))
    }

    /// Dead letters: acme-550 (email, permanent, died two hours ago), acme-503 (email, retries exhausted),
    /// beta-503 (organization beta), sms-dead (an SMS after its email succeeded; error with a `%`), dying
    /// in that order.
    func deadLetterZoo() async throws {
        _ = try await pipeline(TestPipelines.steps)
        _ = try await pipeline(TestPipelines.steps, org: "beta")
        try await enroll(["acme-550", "acme-503", "sms-dead"], pipeline: "steps")
        try await enroll(["beta-503"], pipeline: "steps", org: "beta")
        let old = try await kill("acme-550", error: "550 no such user")
        try await connection.execute(
            "UPDATE lead_stage_actions SET completed_at = now() - interval '2 hours' WHERE id = $1", [old.actionID])
        try await exhaust("acme-503", error: "HTTP 503 Service Unavailable")
        try await exhaust("beta-503", error: "HTTP 503")
        let email = try await claimOne("sms-dead")
        // The wait of 0 s runs with the email's result: the SMS is due at once.
        try await apply([ActionOutcome(actionID: email.actionID, attempt: 1, kind: .succeeded)])
        try await kill("sms-dead", error: "quota 100% used")
    }

    func deadLetters(_ filter: DeadLetterFilter = DeadLetterFilter()) async throws -> [DeadLetter] {
        try await connection.withTransaction { try DeadLetters.list(filter, limit: 100, on: $0).letters }
    }

    func show(_ id: Int) async throws -> DeadLetterDetail? {
        try await connection.withTransaction { try DeadLetters.show(id, on: $0) }
    }

    func replay(
        _ selection: DeadLetters.Selection, dryRun: Bool = false
    ) async throws -> (DeadLetters.Report, [Leadflow_V1_LeadEvent]) {
        try await connection.withTransaction { connection in
            var events = LeadEventLog(recording: true)
            let report = try DeadLetters.replay(selection, dryRun: dryRun, events: &events, on: connection)
            return (report, events.take())
        }
    }

    func discard(_ selection: DeadLetters.Selection, dryRun: Bool = false) async throws -> DeadLetters.Report {
        try await connection.withTransaction { try DeadLetters.discard(selection, dryRun: dryRun, on: $0) }
    }
}
