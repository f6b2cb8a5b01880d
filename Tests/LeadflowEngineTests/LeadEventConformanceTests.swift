import Foundation
import LeadflowBus
import LeadflowDomain
import LeadflowProto
import LeadflowScheduler
import LeadflowServiceKit
import LeadflowStore
import Postgres
import LeadflowTestKit
import SwiftProtobuf
import Synchronization
import Testing

/// lead_event.proto's promises, read from the file itself: each `KIND_…` comment names the fields its events
/// set ("the pipeline fields", "`error`"…), and every kind ingest and the scheduler publish is produced here
/// through real sockets and checked field by field against its comment.
@Suite("Lead events as promised")
struct LeadEventConformanceTests {
    static let pipeline = """
        name: conform
        stages:
          - name: greet
            actions:
              - email: {sender: "a@acme.test", subject: "s", text: "t"}
              - sms: {sender: "+15550001111", body: "hi"}
              - webhook: {url: "https://hooks.acme.test/x"}
          - name: close
            actions:
              - end
        """

    /// A field lead_event.proto promises for a kind.
    enum Promise: String, CaseIterable, Sendable {
        case pipeline, stage, action, attempt, channel, error, reason, source

        /// The words of a `KIND_…` comment that make the promise.
        var phrase: String {
            switch self {
            case .pipeline: "pipeline fields"
            case .stage: "stage fields"
            case .action: "action fields"
            case .attempt: "`attempt`"
            case .channel: "`channel`"
            case .error: "`error`"
            case .reason: "`reason`"
            case .source: "`source`"
            }
        }

        func isKept(by event: Leadflow_V1_LeadEvent) -> Bool {
            switch self {
            case .pipeline: event.pipelineID != 0 && !event.pipeline.isEmpty
            case .stage: event.stageID != 0 && !event.stage.isEmpty
            case .action: event.actionID != 0 && event.actionType != .unspecified
            case .attempt: event.attempt > 0
            // The scenario only uses an explicit channel, so CHANNEL_UNSPECIFIED would be a lost field.
            case .channel: event.channel != .unspecified
            case .error: event.hasError && !event.error.isEmpty
            case .reason: event.hasReason && !event.reason.isEmpty
            case .source: event.hasSource && !event.source.isEmpty
            }
        }
    }

    /// The promises of each kind, from the comments above the `KIND_…` lines of lead_event.proto.
    static func promises() throws -> [Leadflow_V1_LeadEvent.Kind: Set<Promise>] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("proto/leadflow/v1/lead_event.proto")
        var comment = ""
        var promises: [Leadflow_V1_LeadEvent.Kind: Set<Promise>] = [:]
        for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("//") {
                comment += " " + text.dropFirst(2)
                continue
            }
            defer { comment = "" }
            guard text.hasPrefix("KIND_"), let number = text.split(separator: "=").last?.filter(\.isNumber),
                let kind = Leadflow_V1_LeadEvent.Kind(rawValue: Int(number) ?? -1)
            else { continue }
            // What an event sets is named after "Sets"; other sentences only explain.
            let sets = comment.components(separatedBy: "Sets").dropFirst().joined()
            promises[kind] = Set(Promise.allCases.filter { sets.contains($0.phrase) })
        }
        return promises
    }

    @Test("lead_event.proto's comments name fields for the kinds this test knows")
    func commentsAreRead() throws {
        let promises = try Self.promises()
        #expect(promises[.enrolled] == [.pipeline, .stage])
        #expect(promises[.actionRetrying] == [.action, .attempt, .error])
        #expect(promises[.unsubscribed] == [.channel, .reason, .source])
        #expect(promises[.created] == [])
    }

    @Test("every kind ingest and the scheduler publish carries every field its comment in lead_event.proto names")
    func everyKindAsPromised() async throws {
        let promises = try Self.promises()
        // Published by neither service: `leadflow dlq replay` records it without a PUB socket (docs/engine.md).
        let unpublished: Set<Leadflow_V1_LeadEvent.Kind> = [.unspecified, .actionReplayed]
        let expected = Set(promises.keys).subtracting(unpublished)
        try await EngineHarness.with(ingestEvents: true) { harness in
            let client = try await harness.requester()
            try await harness.definePipeline(Self.pipeline, via: client)
            let scheduler = try await harness.startScheduler { $0.eventsEndpoint = "tcp://127.0.0.1:*" }
            var dispatchEndpoints: [String] = []
            for type in [ActionType.email, .sms, .webhook] {
                dispatchEndpoints.append(try await scheduler.dispatchEndpoint(for: type)!)
            }
            let webhooks = Mutex(0)
            let handler = try await RecordingHandler(
                context: harness.context, dispatchEndpoints: dispatchEndpoints,
                resultEndpoints: [try await scheduler.resultsEndpoint()],
                answer: { dispatch in
                    if dispatch.lead.externalID == "lead-b" { return .failedPermanently }
                    guard dispatch.actionType == .webhook else { return .succeeded }
                    return webhooks.withLock { count in
                        count += 1
                        return count == 1 ? .snoozed : .succeeded
                    }
                },
                detail: { dispatch, result in
                    switch result.outcome {
                    case .failedPermanently: result.error = "550 mailbox unavailable"
                    case .snoozed:
                        result.error = "rate limited"
                        result.retryAfter = .init(seconds: 0, nanos: 10_000_000)
                    case .succeeded:
                        result.providerMessageID = "msg-\(dispatch.actionID)"
                        result.duration = .init(seconds: 0, nanos: 25_000_000)
                    default: break
                    }
                })
            let subscriber = try await BusSubscriber.start(
                context: harness.context, name: "test.events",
                endpoints: [
                    .connect(try await harness.ingestEventsEndpoint()), .connect(try await scheduler.eventsEndpoint()!),
                ],
                patterns: [SubjectPattern("lead.>")])
            // A kind that never comes must fail the test, not hang it: closing the subscriber ends `next()`.
            let watchdog = Task {
                try await Task.sleep(for: .seconds(90))
                await subscriber.close()
            }
            defer { watchdog.cancel() }
            var events: [Leadflow_V1_LeadEvent] = []
            /// Reads events of the scenario's leads until `done` holds of them.
            func collect(_ what: String, until done: ([Leadflow_V1_LeadEvent]) -> Bool) async throws {
                while !done(events) {
                    guard let envelope = await subscriber.next() else {
                        Issue.record("timed out waiting until \(what); kinds seen: \(Set(events.map(\.kind)))")
                        throw CancellationError()
                    }
                    let event = try envelope.decode(Leadflow_V1_LeadEvent.self)
                    #expect(envelope.subject.string == "lead.\(event.kind.subjectToken).\(event.org)")
                    if event.externalID.hasPrefix("lead-") { events.append(event) }
                }
            }
            // Subscriptions reach the publishers asynchronously: probe until a probe lead's event arrives.
            for probe in 1... {
                let upsert = Leadflow_V1_LeadUpsert.with { $0.externalID = "probe-\(probe)" }
                try await harness.send("lead.upsert.acme", upsert, via: client)
                let arrived = try await within(.milliseconds(200)) { await subscriber.next() != nil }
                if arrived == true { break }
            }

            // The SMS STOP arrives before the CRM sync: it creates the lead, suppressed (lead.proto).
            try await harness.send("lead.unsubscribe.acme", Leadflow_V1_LeadUnsubscribe.with {
                $0.externalID = "lead-a"
                $0.channel = .sms
                $0.reason = "STOP keyword"
                $0.source = "sms_inbound"
            }, via: client)
            try await harness.send("lead.upsert.acme", Leadflow_V1_LeadUpsert.with {
                $0.externalID = "lead-a"
                $0.email = "ada@example.com"
            }, via: client)
            try await harness.send("lead.upsert.acme", Leadflow_V1_LeadUpsert.with {
                $0.externalID = "lead-a"
                $0.firstName = "Ada"
            }, via: client)
            for lead in ["lead-a", "lead-b"] {
                try await harness.send("lead.enroll.acme", Leadflow_V1_LeadEnroll.with {
                    $0.externalID = lead
                    $0.pipeline = "conform"
                }, via: client)
            }
            try await harness.send("lead.reply.acme", Leadflow_V1_LeadReply.with {
                $0.externalID = "lead-a"
                $0.channel = .email
            }, via: client)
            try await collect("lead-a finished the pipeline and lead-b's email died") { seen in
                seen.contains { $0.kind == .pipelineEnded && $0.externalID == "lead-a" }
                    && seen.contains { $0.kind == .actionDead }
            }
            try await harness.send("lead.resubscribe.acme", Leadflow_V1_LeadResubscribe.with {
                $0.externalID = "lead-a"
                $0.channel = .sms
                $0.reason = "opted in"
                $0.source = "preference_center"
            }, via: client)
            try await harness.send(
                "lead.delete.acme", Leadflow_V1_LeadDelete.with { $0.externalID = "lead-b" }, via: client)
            try await collect("every published kind came") { seen in expected.isSubset(of: Set(seen.map(\.kind))) }

            for event in events {
                #expect(event.org == "acme" && event.leadID != 0 && event.hasOccurredAt, "\(event.kind)")
                for promise in promises[event.kind] ?? [] {
                    #expect(promise.isKept(by: event), "\(event.kind) without its \(promise.rawValue): \(event)")
                }
            }
            // A lead created by an enroll or an unsubscribe is announced before what created it; the upserts after
            // the unsubscribe only update it.
            let kindsOfB = events.filter { $0.externalID == "lead-b" }.map(\.kind)
            #expect(kindsOfB.first == .created && kindsOfB.dropFirst().first == .enrolled, "\(kindsOfB)")
            let kindsOfA = events.filter { $0.externalID == "lead-a" }.map(\.kind)
            #expect(Array(kindsOfA.prefix(4)) == [.created, .unsubscribed, .updated, .updated])
            // The snooze's reason, which the handler sent as its error.
            let retrying = events.filter { $0.kind == .actionRetrying }
            #expect(retrying.map(\.error) == ["rate limited"])
            let canceled = events.filter { $0.kind == .actionCanceled }
            #expect(canceled.map(\.actionType) == [.sms], "\(canceled)")
            // The SMS STOP held at the claim: no SMS reached a handler, the email and webhook around it did.
            #expect(handler.dispatches.filter { $0.lead.externalID == "lead-a" }.map(\.actionType)
                == [.email, .webhook, .webhook])
            #expect(scheduler.statistics.suppressed == 1)
            try await Self.expectHistory(of: events, in: harness.database)
            await subscriber.close()
            await handler.close()
            await client.close()
        }
    }

    /// The lead history holds what was published, written in the same transactions, with what the events
    /// leave out (docs/operations.md, "A lead's history"); a deleted lead's history is erased.
    static func expectHistory(of events: [Leadflow_V1_LeadEvent], in database: PostgresClient) async throws {
        struct Row: Hashable { var kind: String, actionID: Int?, attempt: Int?, error: String? }
        let leadA = try #require(events.first { $0.externalID == "lead-a" }).leadID
        let leadB = try #require(events.first { $0.externalID == "lead-b" }).leadID
        let (historyA, historyB) = try await database.withTransaction { connection in
            (
                try LeadHistory.timeline(leadID: Int(leadA), since: .distantPast, limit: 1_000, on: connection),
                try LeadHistory.timeline(leadID: Int(leadB), since: .distantPast, limit: 1_000, on: connection)
            )
        }
        let published = events.filter { $0.leadID == leadA }.map { event in
            Row(
                kind: event.kind == .actionRetrying && event.error == "rate limited" ? "action_snoozed" : event.kind.subjectToken,
                actionID: event.actionID == 0 ? nil : Int(event.actionID),
                attempt: event.attempt == 0 ? nil : Int(event.attempt), error: event.hasError ? event.error : nil)
        }
        let kept = historyA.map { Row(kind: $0.kind, actionID: $0.actionID, attempt: $0.attempt, error: $0.error) }
        #expect(kept.sorted { "\($0)" < "\($1)" } == published.sorted { "\($0)" < "\($1)" })
        // In the order it happened: what caused an event comes before it.
        let order = historyA.map(\.kind)
        let steps = ["created", "unsubscribed", "enrolled", "action_dispatched", "pipeline_ended", "resubscribed"]
        let positions = steps.compactMap { order.firstIndex(of: $0) }
        #expect(positions.count == steps.count && positions == positions.sorted(), "\(order)")
        for entry in historyA where entry.kind == "action_succeeded" && ["email", "sms", "webhook"].contains(entry.actionType) {
            #expect(entry.providerMessageID == "msg-\(entry.actionID ?? 0)" && entry.durationMilliseconds == 25, "\(entry)")
        }
        let snoozed = try #require(historyA.first { $0.kind == "action_snoozed" })
        #expect(snoozed.dueAt != nil && snoozed.actionType == "webhook")
        #expect(historyA.filter { $0.kind == "action_dispatched" }.allSatisfy { $0.traceID?.count == 32 })
        let entered = try #require(historyA.first { $0.kind == "enrolled" })
        #expect(entered.pipeline == "conform" && entered.stage == "greet")
        #expect(historyA.first { $0.kind == "unsubscribed" }?.channel == "sms")
        // Erased with the lead's data: only its deletion's own rows remain, and no error text.
        #expect(Set(historyB.map(\.kind)) == ["deleted", "stage_exited"], "\(historyB)")
        #expect(historyB.allSatisfy { $0.error == nil })
    }
}
