import LeadflowBus
import LeadflowClient
import LeadflowDomain
import LeadflowProto
import LeadflowTestKit
import Logging
import Synchronization
import Testing
import ZeroMQ

@Suite("LeadflowClient against an ingest stand-in over real sockets")
struct LeadflowClientTests {
    let context: ZMQContext
    let silent = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    init() throws { context = try ZMQContext() }

    /// Short time-outs, for the tests that lose acks on purpose. Tests that count arrivals otherwise keep the
    /// default 5 s, so that a slow machine does not cause retries they do not expect.
    static let quick: LeadflowClient.Configuration = {
        var configuration = LeadflowClient.Configuration()
        configuration.attemptTimeout = .milliseconds(200)
        configuration.retry = RetryPolicy(base: .milliseconds(10), cap: .milliseconds(50))
        configuration.deadline = .seconds(30)
        return configuration
    }()

    func connect(
        _ ingest: TestIngest, _ configuration: LeadflowClient.Configuration = .init(), logger: Logger? = nil
    ) async throws -> LeadflowClient {
        try await LeadflowClient.connect(
            to: ingest.endpoint, configuration: configuration, context: context, logger: logger ?? silent)
    }

    func lead(_ id: String) -> Leadflow_V1_LeadUpsert {
        var lead = Leadflow_V1_LeadUpsert()
        lead.externalID = id
        lead.email = "\(id)@example.com"
        return lead
    }

    func enrollment(_ id: String, pipeline: String = "onboarding") -> Leadflow_V1_LeadEnroll {
        var enrollment = Leadflow_V1_LeadEnroll()
        enrollment.externalID = id
        enrollment.pipeline = pipeline
        return enrollment
    }

    @Test("+OK: the receipt names the msg id ingest received, on every transport", arguments: TestTransport.allCases)
    func acknowledged(transport: TestTransport) async throws {
        let ingest = try await TestIngest.start(context: context, bind: transport.bindAddress())
        let client = try await connect(ingest)
        let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

        let receipt = try await client.upsertLead(org: "acme", lead("crm-1"), traceparent: traceparent)
        #expect(receipt.attempts == 1)
        #expect(receipt.latency > .zero)
        let arrival = try #require(ingest.received.first)
        #expect(ingest.msgIDs == [receipt.msgID])
        #expect(arrival.envelope.subject.string == "lead.upsert.acme")
        #expect(try arrival.envelope.decode(Leadflow_V1_LeadUpsert.self) == lead("crm-1"))
        #expect(arrival.envelope.headers[Headers.Name.traceparent] == traceparent)

        let own = try await client.enroll(org: "acme", enrollment("crm-1"), msgID: "outbox-row-17")
        #expect(own.msgID == "outbox-row-17")
        #expect(ingest.received.last?.envelope.subject.string == "lead.enroll.acme")
        #expect(ingest.received.last?.envelope.headers[Headers.Name.traceparent] == nil)

        await client.close()
        await ingest.close()
    }

    @Test("every typed method publishes on its subject")
    func subjects() async throws {
        let ingest = try await TestIngest.start(context: context, bind: TestTransport.inproc.bindAddress())
        let client = try await connect(ingest)
        var reply = Leadflow_V1_LeadReply()
        reply.externalID = "crm-1"
        reply.channel = .email
        var unsubscribe = Leadflow_V1_LeadUnsubscribe()
        unsubscribe.externalID = "crm-1"
        var resubscribe = Leadflow_V1_LeadResubscribe()
        resubscribe.externalID = "crm-1"
        resubscribe.channel = .sms
        var delete = Leadflow_V1_LeadDelete()
        delete.externalID = "crm-1"
        var pipeline = Leadflow_V1_PipelineDefinition()
        pipeline.name = "onboarding"

        _ = try await client.upsertPipeline(org: "acme", pipeline)
        _ = try await client.upsertLead(org: "acme", lead("crm-1"))
        _ = try await client.enroll(org: "acme", enrollment("crm-1"))
        _ = try await client.reply(org: "acme", reply)
        _ = try await client.unsubscribe(org: "acme", unsubscribe)
        _ = try await client.resubscribe(org: "acme", resubscribe)
        _ = try await client.deleteLead(org: "acme", delete)
        _ = try await client.publish(subject: "lead.upsert.beta", message: lead("crm-2"))
        #expect(ingest.received.map(\.envelope.subject.string) == [
            "pipeline.upsert.acme", "lead.upsert.acme", "lead.enroll.acme", "lead.reply.acme", "lead.unsubscribe.acme",
            "lead.resubscribe.acme", "lead.delete.acme", "lead.upsert.beta",
        ])
        #expect(try ingest.received[5].envelope.decode(Leadflow_V1_LeadResubscribe.self) == resubscribe)
        #expect(try ingest.received[3].envelope.decode(Leadflow_V1_LeadReply.self) == reply)
        await client.close()
        await ingest.close()
    }

    @Test(
        "-ERR is surfaced with its reason and never retried",
        arguments: [("Unknown Pipeline", IngestReason?.some(.unknownPipeline)), ("Quota Exceeded", nil)])
    func rejected(reason: String, known: IngestReason?) async throws {
        let ingest = try await TestIngest.start(context: context, bind: TestTransport.inproc.bindAddress()) { arrival in
            arrival.msgID == "enroll-1" ? .error(reason) : .ok
        }
        let client = try await connect(ingest)

        let error = await #expect(throws: LeadflowClientError.self) {
            try await client.enroll(org: "acme", enrollment("crm-1", pipeline: "missing"), msgID: "enroll-1")
        }
        #expect(error?.code == .rejected)
        #expect(error?.rejection?.reason == reason)
        #expect(error?.rejection?.knownReason == known)
        #expect(error?.msgID == "enroll-1")
        #expect(error?.attempts == 1)
        // A retry would have been sent before the error was thrown, and so before this fence on the same
        // connection, which ZeroMQ delivers in order. (The fence itself may be sent again on a loaded machine,
        // when its ack takes longer than the 200 ms attempt time-out; that is not what this test is about.)
        _ = try await client.upsertLead(org: "acme", lead("crm-2"), msgID: "fence")
        #expect(ingest.msgIDs.prefix(2) == ["enroll-1", "fence"])
        #expect(ingest.msgIDs.filter { $0 == "enroll-1" }.count == 1)
        await client.close()
        await ingest.close()
    }

    @Test("a lost ack: the message is sent again with the same msg id, and succeeds")
    func lostAck() async throws {
        let ingest = try await TestIngest.start(context: context, bind: TestTransport.ipc.bindAddress()) { arrival in
            arrival.seenBefore == 0 ? .drop : .ok
        }
        var configuration = Self.quick
        configuration.attemptTimeout = .seconds(1)  // the second attempt must not time out too
        let client = try await connect(ingest, configuration)

        let receipt = try await client.upsertLead(org: "acme", lead("crm-1"))
        #expect(receipt.attempts == 2)
        #expect(ingest.msgIDs == [receipt.msgID, receipt.msgID])
        let payloads = ingest.received.map(\.envelope.payload)
        #expect(payloads[0] == payloads[1], "the retry is the same message")
        await client.close()
        await ingest.close()
    }

    @Test("ingest down at first and started later: the message gets through")
    func ingestStartsLate() async throws {
        let address = "tcp://127.0.0.1:\(try LoopbackPort.unused())"
        let log = CapturedLogs()
        let client = try await LeadflowClient.connect(
            to: address, configuration: Self.quick, context: context, logger: log.logger())
        let publishing = Task { try await client.upsertLead(org: "acme", lead("crm-1")) }

        await log.waitFor("sending again")  // the first attempt timed out: nobody was there
        let ingest = try await TestIngest.start(context: context, bind: address)
        let receipt = try await publishing.value
        #expect(receipt.attempts >= 2)
        #expect(Set(ingest.msgIDs) == [receipt.msgID])
        await client.close()
        await ingest.close()
    }

    @Test("a full window holds further messages back: ingest never sees more than maxOutstanding unanswered")
    func windowBound() async throws {
        let maxOutstanding = 8
        let total = 100
        let responder = try await AckResponder.start(
            context: context, name: "ingest", endpoints: [.bind(TestTransport.ipc.bindAddress())])
        // Answers only once `maxOutstanding` are unanswered (or the rest of the batch): a client that sent
        // more than its window would make the count climb past it.
        let serving = Task {
            var unanswered: [(peer: [UInt8], msgID: String)] = []
            var received = 0
            var mostUnanswered = 0
            while received < total {
                for request in await responder.nextBatch(max: 64) {
                    unanswered.append((request.peer, request.msgID ?? ""))
                    received += 1
                }
                mostUnanswered = max(mostUnanswered, unanswered.count)
                if unanswered.count >= maxOutstanding || received == total {
                    for (peer, msgID) in unanswered { try await responder.reply(.ok(msgID: msgID), to: peer) }
                    unanswered = []
                }
            }
            return mostUnanswered
        }
        var configuration = LeadflowClient.Configuration()
        configuration.maxOutstanding = maxOutstanding
        configuration.attemptTimeout = .seconds(30)  // no retries: every arrival is a new message
        let client = try await LeadflowClient.connect(
            to: try await responder.boundEndpoint(), configuration: configuration, context: context, logger: silent)

        let publications = try (0..<total).map { try LeadflowClient.Publication.upsertLead(org: "acme", lead("crm-\($0)")) }
        let outcomes = await client.publish(contentsOf: publications)
        #expect(try outcomes.map { try $0.get().msgID } == publications.map(\.msgID), "outcomes in input order")
        #expect(try await serving.value == maxOutstanding, "the window was kept full, and never overfilled")
        #expect(client.outstanding == 0)
        await client.close()
        await responder.close()
    }

    @Test("a batch returns each message's outcome in input order, rejections in their place")
    func batchOutcomes() async throws {
        let ingest = try await TestIngest.start(context: context, bind: TestTransport.inproc.bindAddress()) { arrival in
            let enrollment = try? arrival.envelope.decode(Leadflow_V1_LeadEnroll.self)
            return enrollment?.pipeline == "missing" ? .error("Unknown Pipeline") : .ok
        }
        var configuration = LeadflowClient.Configuration()
        configuration.maxOutstanding = 16
        let client = try await connect(ingest, configuration)
        let leads = (0..<500).map { enrollment("crm-\($0)", pipeline: $0 % 7 == 3 ? "missing" : "onboarding") }

        let outcomes = try await client.enroll(org: "acme", leads: leads)
        #expect(outcomes.count == leads.count)
        for (index, outcome) in outcomes.enumerated() {
            switch outcome {
            case .success: #expect(index % 7 != 3, "message \(index)")
            case .failure(let error): #expect(index % 7 == 3 && error.rejection?.knownReason == .unknownPipeline, "message \(index)")
            }
        }
        let ids = outcomes.map { outcome in
            switch outcome {
            case .success(let receipt): receipt.msgID
            case .failure(let error): error.msgID ?? ""
            }
        }
        #expect(Set(ids).count == leads.count, "every message its own generated msg id")
        #expect(Set(ingest.msgIDs) == Set(ids))
        await client.close()
        await ingest.close()
    }

    @Test("an organization id that is not one subject token is refused before anything is sent",
          arguments: ["", "acme.eu", "acme*", ">", "ac me", "acmé", String(repeating: "o", count: 260)])
    func invalidOrganization(org: String) async throws {
        let ingest = try await TestIngest.start(context: context, bind: TestTransport.inproc.bindAddress())
        let client = try await connect(ingest)

        let single = await #expect(throws: LeadflowClientError.self) {
            try await client.upsertLead(org: org, lead("crm-1"))
        }
        #expect(single?.code == .invalidOrganization)
        #expect(single?.attempts == 0)
        let batch = await #expect(throws: LeadflowClientError.self) {
            try await client.enroll(org: org, leads: [enrollment("crm-1")])
        }
        #expect(batch?.code == .invalidOrganization)
        #expect(throws: LeadflowClientError.self) { try LeadflowClient.Publication.deleteLead(org: org, .init()) }

        _ = try await client.upsertLead(org: "acme", lead("crm-2"), msgID: "fence")
        #expect(ingest.msgIDs == ["fence"], "nothing was sent before the fence")
        await client.close()
        await ingest.close()
    }

    @Test("a message that cannot be sent as given is refused with a clear error")
    func invalidMessages() throws {
        func code(_ make: () throws -> LeadflowClient.Publication) -> LeadflowClientError.Code? {
            do {
                _ = try make()
                return nil
            } catch {
                return (error as? LeadflowClientError)?.code
            }
        }
        #expect(code { try .init(subject: "lead.*.acme", message: lead("x")) } == .invalidMessage)
        #expect(code { try .upsertLead(org: "acme", lead("x"), msgID: "") } == .invalidMessage)
        #expect(code { try .upsertLead(org: "acme", lead("x"), msgID: "a\r\nb") } == .invalidMessage)
        #expect(code { try .upsertLead(org: "acme", lead("x"), traceparent: "x\ny") } == .invalidMessage)
        var huge = lead("x")
        huge.attributes["blob"] = String(repeating: "z", count: 1_048_576)
        let error = #expect(throws: LeadflowClientError.self) { try LeadflowClient.Publication.upsertLead(org: "acme", huge) }
        #expect(error?.code == .invalidMessage)
        #expect(error?.description.contains("zzz") == false, "descriptions never carry payloads")
        #expect(code { try .upsertLead(org: "acme", lead("x"), msgID: "row-1") } == nil)
    }

    @Test("close() fails the publishes waiting for an ack and those waiting for a slot")
    func closeFailsWaiters() async throws {
        let ingest = try await TestIngest.start(context: context, bind: TestTransport.inproc.bindAddress()) { _ in .drop }
        var configuration = LeadflowClient.Configuration()
        configuration.maxOutstanding = 4
        let client = try await connect(ingest, configuration)

        let publishing = Task {
            await withTaskGroup(of: LeadflowClientError?.self) { group in
                for index in 0..<10 {
                    group.addTask {
                        do throws(LeadflowClientError) {
                            _ = try await client.upsertLead(org: "acme", self.lead("crm-\(index)"))
                            return nil
                        } catch {
                            return error
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
        }
        _ = await ingest.next(4)  // the window is full; six publishes wait for a slot
        await client.close()
        let errors = await publishing.value.compactMap { $0 }
        #expect(errors.count == 10)
        #expect(errors.allSatisfy { $0.code == .closed })
        #expect(errors.filter { $0.attempts == 1 }.count == 4, "sent and waiting for the ack")
        #expect(errors.filter { $0.attempts == 0 }.count == 6, "never sent")

        let late = await #expect(throws: LeadflowClientError.self) { try await client.upsertLead(org: "acme", lead("crm-x")) }
        #expect(late?.code == .closed)
        await ingest.close()
    }

    // Pauses are drawn from 0…10 minutes: a close that did not end the pause would run into the time limit.
    @Test("close() ends the pause between attempts at once", .timeLimit(.minutes(1)))
    func closeDuringBackoff() async throws {
        let ingest = try await TestIngest.start(context: context, bind: TestTransport.inproc.bindAddress()) { _ in .drop }
        var configuration = Self.quick
        configuration.retry = RetryPolicy(base: .seconds(600), cap: .seconds(600))
        configuration.deadline = .seconds(3_600)
        let log = CapturedLogs()
        let client = try await connect(ingest, configuration, logger: log.logger())
        let publishing = Task { try await client.upsertLead(org: "acme", lead("crm-1")) }

        await log.waitFor("sending again")
        await client.close()
        let error = await #expect(throws: LeadflowClientError.self) { try await publishing.value }
        #expect(error?.code == .closed)
        #expect(error?.attempts ?? 0 >= 1)
        await ingest.close()
    }

    @Test("without any ack, a message is given up after maxAttempts with the same msg id each time")
    func givesUp() async throws {
        let ingest = try await TestIngest.start(context: context, bind: TestTransport.inproc.bindAddress()) { _ in .drop }
        var configuration = Self.quick
        configuration.attemptTimeout = .milliseconds(50)
        configuration.maxAttempts = 3
        let client = try await connect(ingest, configuration)

        let error = await #expect(throws: LeadflowClientError.self) {
            try await client.upsertLead(org: "acme", lead("crm-1"), msgID: "m-1")
        }
        #expect(error?.code == .timedOut)
        #expect(error?.attempts == 3)
        _ = await ingest.next(3)
        #expect(ingest.msgIDs == ["m-1", "m-1", "m-1"])
        await client.close()
        await ingest.close()
    }

    @Test("a cancelled publish fails with cancelled and gives its slot back")
    func cancellation() async throws {
        let ingest = try await TestIngest.start(context: context, bind: TestTransport.inproc.bindAddress()) { arrival in
            arrival.msgID == "stuck" ? .drop : .ok
        }
        var configuration = LeadflowClient.Configuration()
        configuration.maxOutstanding = 1
        let client = try await connect(ingest, configuration)
        let stuck = Task { try await client.upsertLead(org: "acme", lead("crm-1"), msgID: "stuck") }
        _ = await ingest.next(1)
        #expect(client.outstanding == 1)
        stuck.cancel()
        let error = await #expect(throws: LeadflowClientError.self) { try await stuck.value }
        #expect(error?.code == .cancelled)
        #expect(try await client.upsertLead(org: "acme", lead("crm-2")).attempts == 1, "the slot was given back")
        await client.close()
        await ingest.close()
    }
}
