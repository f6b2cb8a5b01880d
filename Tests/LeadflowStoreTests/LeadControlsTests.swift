import Dispatch
import LeadflowPipeline
import LeadflowProto
import LeadflowStore
import LeadflowTestKit
import Postgres
import Testing

/// The lead controls against ingest's writers over real PostgreSQL: a control locks the lead first, as they
/// do, so a deletion racing a move cannot leave the erased lead in the stage the move entered.
@Suite("Lead controls and concurrent writers")
struct LeadControlsTests {
    @Test("a move wakes the schedulers, naming the organization; a dry run and a bulk move that matches no lead change nothing")
    func moveWakesSchedulers() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            try await DeadLetterSeed.kill(["ada": "550 no such user"], org: "acme", url: url, pipeline: DeadLetterSeed.twoStages)
            let (controller, listener) = (try await PostgresConnection.connect(url: url), try await PostgresConnection.connect(url: url))
            try await listener.listen(SchedulerWakeup.channel)
            let actor = AuditEntry.Actor(tokenID: nil, name: "cli:test")
            let none = try await controller.withTransaction { connection in
                try LeadControls.move(
                    .init(org: "acme", pipeline: "welcome", stage: "later"), to: "hello", dryRun: false, by: actor,
                    defaultMaxAttempts: 3, on: connection)
            }
            #expect(none.leads == 0 && none.stages == 0 && none.actions == 0 && !none.dryRun)
            let dry = try await controller.withTransaction { connection in
                try LeadControls.move(
                    .init(org: "acme", externalID: "ada", pipeline: "welcome"), to: "later", dryRun: true, by: actor,
                    defaultMaxAttempts: 3, on: connection)
            }
            #expect(dry.leads == 1 && dry.dryRun)
            let audited = try await controller.query("SELECT count(*) FROM audit_log").scalar(Int.self)
            #expect(audited == 0, "neither changed anything, so neither is audited")
            #expect(try await listener.waitForNotifications(timeout: .milliseconds(200)).isEmpty)

            _ = try await controller.withTransaction { connection in
                try LeadControls.move(
                    .init(org: "acme", externalID: "ada", pipeline: "welcome"), to: "later", dryRun: false, by: actor,
                    defaultMaxAttempts: 3, on: connection)
            }
            let notifications = try await listener.waitForNotifications(timeout: .seconds(10))
            #expect(notifications.map(\.channel) == [SchedulerWakeup.channel])
            #expect(notifications.flatMap { SchedulerWakeup.organizations(in: $0.payload) } == ["acme"])
            for connection in [controller, listener] { await connection.close() }
        }
    }

    @Test("a dry run reads past a lead another transaction has locked; the control itself waits for that lock")
    func dryRunTakesNoLock() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            try await DeadLetterSeed.kill(["ada": "550 no such user"], org: "acme", url: url, pipeline: DeadLetterSeed.twoStages)
            let (holder, controller) = (try await PostgresConnection.connect(url: url), try await PostgresConnection.connect(url: url))
            // Another writer holds the lead's row, its open actions and its stage, as a delete in progress would.
            try await holder.execute("BEGIN")
            try await holder.execute(
                """
                SELECT 1 FROM leads l JOIN lead_stages ls ON ls.lead_id = l.id JOIN lead_stage_actions a ON a.lead_id = l.id
                WHERE l.external_id = 'ada' FOR UPDATE
                """)
            try await controller.execute("SET lock_timeout = '2s'")
            let actor = AuditEntry.Actor(tokenID: nil, name: "cli:test")
            let selection = LeadControls.Selection(org: "acme", externalID: "ada")
            let dry = try await controller.withTransaction { connection in
                try LeadControls.cancel(selection, reason: "r", dryRun: true, by: actor, on: connection)
            }
            #expect(dry.leads == 1 && dry.actions == 1 && dry.dryRun)
            // The same control, not a dry run, needs the lead's lock: it gives up after lock_timeout.
            let refused = await #expect(throws: PostgresError.self) {
                _ = try await controller.withTransaction { connection in
                    try LeadControls.cancel(selection, reason: "r", dryRun: false, by: actor, on: connection)
                }
            }
            #expect(refused?.sqlState == "55P03", "lock_not_available: \(String(describing: refused))")
            try await holder.execute("ROLLBACK")
            for connection in [holder, controller] { await connection.close() }
        }
    }

    @Test("a delete that arrives while a move is open waits for it, then ends the stage the move entered")
    func deleteDuringMove() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            try await DeadLetterSeed.kill(["ada": "550 no such user"], org: "acme", url: url, pipeline: DeadLetterSeed.twoStages)
            let (controller, deleter, observer) = (
                try await PostgresConnection.connect(url: url), try await PostgresConnection.connect(url: url),
                try await PostgresConnection.connect(url: url)
            )
            let release = DispatchSemaphore(value: 0)
            // Should an expectation throw first, the transaction must still end rather than hang the run.
            defer { release.signal() }
            let moved = LockedFlag()
            let moving = Task {
                try await controller.withTransaction { connection in
                    let report = try LeadControls.move(
                        .init(org: "acme", externalID: "ada", pipeline: "welcome"), to: "later", dryRun: false,
                        by: .init(tokenID: nil, name: "cli:test"), defaultMaxAttempts: 3, on: connection)
                    moved.set()
                    release.wait()
                    return report
                }
            }
            try await eventually("the move holds its locks") { moved.isSet }
            let deleting = Task {
                var message = Leadflow_V1_LeadDelete()
                message.externalID = "ada"
                try await deleter.withTransaction { [message] connection in
                    var events = LeadEventLog(recording: false)
                    try LeadWriter.delete([.init(org: "acme", message)], events: &events, on: connection)
                }
            }
            try await eventually("the delete waits on a row lock") {
                try await observer.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
                ).scalar(Int.self) == 1
            }
            release.signal()
            #expect(try await moving.value.leads == 1)
            try await deleting.value
            let open = try await observer.query(
                """
                SELECT count(*) FROM lead_stage_actions a JOIN lead_stages ls ON ls.id = a.lead_stage_id
                WHERE ls.exited_at IS NULL OR a.status IN ('blocked', 'pending', 'dispatched', 'waiting')
                """
            ).scalar(Int.self)
            #expect(open == 0, "the erased lead has no stage and no action left to run")
            for connection in [controller, deleter, observer] { await connection.close() }
        }
    }

    @Test("a cancel that arrives while a result is applied for the lead waits for it, then cancels what the result made due")
    func cancelDuringResult() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            let (applier, controller, observer) = (
                try await PostgresConnection.connect(url: url), try await PostgresConnection.connect(url: url),
                try await PostgresConnection.connect(url: url)
            )
            let email = try await applier.withTransaction { connection in
                var events = LeadEventLog(recording: false)
                return try #require(
                    try ClaimSeed.enrollAndClaim(
                        pipeline: DeadLetterSeed.twoStages, externalIDs: ["ada"], org: "acme", events: &events, on: connection
                    )["ada"])
            }
            let release = DispatchSemaphore(value: 0)
            defer { release.signal() }
            let applied = LockedFlag()
            let applying = Task {
                try await applier.withTransaction { connection in
                    var events = LeadEventLog(recording: false)
                    try WorkQueue.apply(
                        [ActionOutcome(actionID: email.actionID, attempt: email.attempt, kind: .succeeded)], settings: .init(),
                        events: &events, on: connection)
                    applied.set()
                    release.wait()
                }
            }
            try await eventually("the result holds its locks") { applied.isSet }
            let canceling = Task {
                try await controller.withTransaction { connection in
                    try LeadControls.cancel(
                        .init(org: "acme", externalID: "ada"), reason: "asked by phone", dryRun: false,
                        by: .init(tokenID: nil, name: "cli:test"), on: connection)
                }
            }
            try await eventually("the cancel waits on a row lock") {
                try await observer.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
                ).scalar(Int.self) == 1
            }
            release.signal()
            try await applying.value
            let report = try await canceling.value
            #expect(report.leads == 1 && report.actions == 1, "the SMS the result made due: \(report)")
            let statuses = try await observer.query(
                "SELECT type || ':' || status FROM lead_stage_actions ORDER BY id"
            ).map { try $0.decode(String.self, at: 0) }
            #expect(statuses == ["email:succeeded", "sms:canceled"])
            for connection in [applier, controller, observer] { await connection.close() }
        }
    }

    @Test("a pipeline resumed while a claim holds its work waits for that claim, then releases what it held")
    func resumeDuringClaim() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            let (claimer, resumer, observer) = (
                try await PostgresConnection.connect(url: url), try await PostgresConnection.connect(url: url),
                try await PostgresConnection.connect(url: url)
            )
            let actor = AuditEntry.Actor(tokenID: nil, name: "cli:test")
            try await claimer.withTransaction { connection in
                _ = try PipelineStore.upsert(try PipelineDecoder().decode(yaml: DeadLetterSeed.pipeline), org: "acme", on: connection)
                _ = try OrganizationPauses.pause(org: "acme", scope: .pipeline("welcome"), by: actor, reason: nil, on: connection)
            }
            let release = DispatchSemaphore(value: 0)
            defer { release.signal() }
            let claimed = LockedFlag()
            let claiming = Task {
                try await claimer.withTransaction { connection in
                    var events = LeadEventLog(recording: false)
                    // The enrollment's email is pending; this claim holds it, and stays open.
                    _ = try ClaimSeed.enrollAndClaim(
                        pipeline: DeadLetterSeed.pipeline, externalIDs: ["ada"], org: "acme", events: &events, on: connection)
                    claimed.set()
                    release.wait()
                }
            }
            try await eventually("the claim holds the email, uncommitted") { claimed.isSet }
            let resuming = Task {
                try await resumer.withTransaction { connection in
                    try OrganizationPauses.resume(org: "acme", scope: .pipeline("welcome"), by: actor, on: connection)
                }
            }
            try await eventually("the resume waits for the claim") {
                try await observer.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
                ).scalar(Int.self) == 1
            }
            release.signal()
            try await claiming.value
            #expect(try await resuming.value.actions == 1, "the resume released the email the claim held")
            let statuses = try await observer.query("SELECT type || ':' || status FROM lead_stage_actions ORDER BY id")
                .map { try $0.decode(String.self, at: 0) }
            #expect(statuses == ["email:pending", "sms:blocked"], "nothing stays held once the pause has ended")
            for connection in [claimer, resumer, observer] { await connection.close() }
        }
    }
}
