import Foundation
import LeadflowBus
import LeadflowDomain
import LeadflowIngest
import LeadflowProto
import LeadflowScheduler
import LeadflowStore
import Testing

/// How the scheduler learns of new work, and what subscribers see.
@Suite("Wake-ups and lead events")
struct WakeupAndEventsTests {
    static let oneEmail = SchedulerServiceTests.oneEmail

    @Test("ingest's NOTIFY wakes an idle scheduler long before its idle timer")
    func notifyWakesTheScheduler() async throws {
        try await EngineHarness.with { harness in
            let client = try await harness.requester()
            try await harness.definePipeline(Self.oneEmail, via: client)
            // An hour-long idle interval: only a wake-up can get the enroll dispatched within the test.
            let scheduler = try await harness.startScheduler { $0.idleInterval = .seconds(3600) }
            let (email, results) = (try await scheduler.dispatchEndpoint(for: .email)!, try await scheduler.resultsEndpoint())
            let handler = try await RecordingHandler(
                context: harness.context, dispatchEndpoints: [email], resultEndpoints: [results])
            // Let the scheduler go idle first: nothing is due, so it sleeps on its doorbell.
            try await harness.waitUntil("the scheduler has claimed and listens for wake-ups") { _ in
                scheduler.statistics.claims > 0 && scheduler.statistics.wakeupListens > 0
            }
            let enroll = Leadflow_V1_LeadEnroll.with {
                $0.externalID = "crm-1"
                $0.pipeline = "one"
            }
            try await harness.send("lead.enroll.acme", enroll, via: client)
            try await harness.waitUntil("the email was dispatched", timeout: .seconds(30)) { _ in !handler.dispatches.isEmpty }
            #expect(handler.dispatches.map(\.lead.externalID) == ["crm-1"])
            await handler.close()
            await client.close()
        }
    }

    @Test("a running scheduler holds a paused pipeline's new work instead of dispatching it; resuming wakes it to dispatch")
    func pipelinePause() async throws {
        try await EngineHarness.with { harness in
            let client = try await harness.requester()
            try await harness.definePipeline(Self.oneEmail, via: client)
            let actor = AuditEntry.Actor(tokenID: nil, name: "cli:test")
            _ = try await harness.database.withTransaction { connection in
                try OrganizationPauses.pause(org: "acme", scope: .pipeline("one"), by: actor, reason: nil, on: connection)
            }
            // An hour-long idle interval: only the resume's NOTIFY can get the email dispatched within the test.
            let scheduler = try await harness.startScheduler { $0.idleInterval = .seconds(3600) }
            let (email, results) = (try await scheduler.dispatchEndpoint(for: .email)!, try await scheduler.resultsEndpoint())
            let handler = try await RecordingHandler(
                context: harness.context, dispatchEndpoints: [email], resultEndpoints: [results])
            try await harness.send("lead.enroll.acme", Leadflow_V1_LeadEnroll.with { $0.externalID = "crm-1"; $0.pipeline = "one" }, via: client)
            try await harness.waitUntil("the scheduler held the enrollment's email", timeout: .seconds(30)) { _ in
                scheduler.statistics.held == 1
            }
            #expect(handler.dispatches.isEmpty && scheduler.statistics.dispatched == 0)
            _ = try await harness.database.withTransaction { connection in
                try OrganizationPauses.resume(org: "acme", scope: .pipeline("one"), by: actor, on: connection)
            }
            try await harness.waitUntil("the email was dispatched", timeout: .seconds(30)) { _ in !handler.dispatches.isEmpty }
            #expect(handler.dispatches.map(\.lead.externalID) == ["crm-1"])
            await handler.close()
            await client.close()
        }
    }

    @Test("ingest and the scheduler publish lead events on lead.<event>.<org>, with the Traceparent of the lead's work")
    func leadEvents() async throws {
        try await EngineHarness.with(ingestEvents: true) { harness in
            let client = try await harness.requester()
            try await harness.definePipeline(Self.oneEmail, via: client)
            let scheduler = try await harness.startScheduler { $0.eventsEndpoint = "tcp://127.0.0.1:*" }
            let (email, results) = (try await scheduler.dispatchEndpoint(for: .email)!, try await scheduler.resultsEndpoint())
            let handler = try await RecordingHandler(
                context: harness.context, dispatchEndpoints: [email], resultEndpoints: [results])
            let subscriber = try await BusSubscriber.start(
                context: harness.context, name: "test.events",
                endpoints: [.connect(try await harness.ingestEventsEndpoint()), .connect(try await scheduler.eventsEndpoint()!)],
                patterns: [SubjectPattern("lead.>")])
            // Subscriptions reach the publishers asynchronously; probe until an event of a probe lead arrives.
            var probe = 0
            while true {
                probe += 1
                try await harness.send("lead.upsert.acme", Leadflow_V1_LeadUpsert.with { $0.externalID = "probe-\(probe)" }, via: client)
                let arrived = await withTaskGroup(of: Bool.self) { group in
                    group.addTask { await subscriber.next() != nil }
                    group.addTask { try? await Task.sleep(for: .milliseconds(200)); return false }
                    defer { group.cancelAll() }
                    return await group.next()!
                }
                if arrived { break }
            }
            try await harness.send("lead.upsert.acme", Leadflow_V1_LeadUpsert.with { $0.externalID = "crm-1" }, via: client)
            let trace = TraceParent.random()
            var enroll = try EngineHarness.envelope(
                "lead.enroll.acme",
                Leadflow_V1_LeadEnroll.with {
                    $0.externalID = "crm-1"
                    $0.pipeline = "one"
                }, msgID: "enroll-1")
            try enroll.headers.append(Headers.Name.traceparent, trace.description)
            #expect(try await client.request(enroll, timeout: .seconds(10)) == .ok(msgID: "enroll-1"))
            var subjects: Set<String> = []
            let wanted: Set<String> = [
                "lead.created.acme", "lead.enrolled.acme", "lead.stage_entered.acme", "lead.action_dispatched.acme",
                "lead.action_succeeded.acme", "lead.stage_exited.acme", "lead.pipeline_ended.acme",
            ]
            while !wanted.isSubset(of: subjects), let envelope = await subscriber.next() {
                let event = try envelope.decode(Leadflow_V1_LeadEvent.self)
                guard event.externalID == "crm-1" else { continue }
                #expect(event.org == "acme")
                subjects.insert(envelope.subject.string)
                // The upsert came without a trace and got a new one; everything the enroll caused is in its trace.
                let carried = try #require(envelope.headers[Headers.Name.traceparent].flatMap(TraceParent.init))
                #expect((carried.traceID == trace.traceID) == (event.kind != .created), "\(envelope.subject)")
            }
            #expect(wanted.isSubset(of: subjects))
            await subscriber.close()
            await handler.close()
            await client.close()
        }
    }
}
