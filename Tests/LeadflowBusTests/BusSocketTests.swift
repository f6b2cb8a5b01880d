import LeadflowTestKit
import SwiftProtobuf
import Testing
import ZeroMQ

@testable import LeadflowBus

@Suite("Bus endpoints over real sockets")
struct BusSocketTests {
    let context: ZMQContext

    init() throws { context = try ZMQContext() }

    func envelope(_ subject: String, _ text: String = "", msgID: String? = nil) throws -> Envelope {
        var headers = Headers()
        if let msgID { try headers.append(Headers.Name.msgID, msgID) }
        return try Envelope(
            subject: Subject(subject), message: Google_Protobuf_StringValue(text), headers: headers)
    }

    @Test("PUB/SUB with wildcard subscriptions matches tokens, not prefixes", arguments: TestTransport.allCases)
    func publishSubscribe(transport: TestTransport) async throws {
        let publisher = try await BusPublisher.start(
            context: context, name: "events", endpoints: [.bind(transport.bindAddress())])
        let endpoint = try await publisher.boundEndpoint()
        let subscriber = try await BusSubscriber.start(
            context: context, name: "listener", endpoints: [.connect(endpoint)],
            patterns: [SubjectPattern("lead.>"), SubjectPattern("ctl.*")])

        // Subscriptions reach the publisher asynchronously: publish a probe until one arrives.
        var ready = false
        while !ready {
            publisher.publish(try envelope("ctl.probe"))
            ready = await withTaskGroup(of: Bool.self) { group in
                group.addTask { await subscriber.next()?.subject.string == "ctl.probe" }
                group.addTask {
                    try? await Task.sleep(for: .milliseconds(20))
                    return false
                }
                defer { group.cancelAll() }
                return await group.next()!
            }
        }

        let published = [
            "lead.created.acme", "lead", "leadx.a", "lead.upsert.acme", "other.lead.x", "ctl.a.b", "lead.x",
        ]
        for subject in published { publisher.publish(try envelope(subject, subject)) }
        publisher.publish(try envelope("ctl.end"))

        var received: [String] = []
        while let next = await subscriber.next(), next.subject.string != "ctl.end" {
            if next.subject.string == "ctl.probe" { continue }
            received.append(next.subject.string)
            #expect(try next.decode(Google_Protobuf_StringValue.self).value == next.subject.string)
        }
        #expect(received == ["lead.created.acme", "lead.upsert.acme", "lead.x"])
        // `leadx.a` never passes the prefix `lead.`; `lead` passes no prefix at all; `ctl.a.b` passes `ctl.`
        // but fails token matching.
        #expect(subscriber.statistics.unmatched == 1)
        await subscriber.close()
        await publisher.close()
    }

    @Test("PUSH load-balances across two pullers")
    func pushLoadBalancing() async throws {
        let pusher = try await BusPusher.start(context: context, name: "dispatch", endpoints: [.bind("tcp://127.0.0.1:*")])
        let endpoint = try await pusher.boundEndpoint()
        let pullers = [
            try await BusPuller.start(context: context, name: "h1", endpoints: [.connect(endpoint)]),
            try await BusPuller.start(context: context, name: "h2", endpoints: [.connect(endpoint)]),
        ]
        let (deliveries, report) = AsyncStream<(puller: Int, text: String)>.makeStream()
        let consumers = Task {
            await withTaskGroup(of: Void.self) { group in
                for (index, puller) in pullers.enumerated() {
                    group.addTask {
                        while let envelope = await puller.next() {
                            report.yield((index, try! envelope.decode(Google_Protobuf_StringValue.self).value))
                        }
                    }
                }
            }
        }
        var iterator = deliveries.makeAsyncIterator()

        // Until both connections are up, PUSH sees one peer: warm up one message at a time until each puller
        // has received one.
        var warmed: Set<Int> = []
        while warmed.count < 2 {
            try await pusher.push(try envelope("action.email", "warmup"))
            let delivery = try #require(await iterator.next())
            warmed.insert(delivery.puller)
        }

        for index in 0..<100 { try await pusher.push(try envelope("action.email", "work-\(index)")) }
        var counts = [0, 0]
        var texts: Set<String> = []
        while texts.count < 100 {
            let delivery = try #require(await iterator.next())
            counts[delivery.puller] += 1
            texts.insert(delivery.text)
        }
        #expect(counts[0] >= 40 && counts[1] >= 40, "round-robin across both pullers, got \(counts)")
        await pusher.close()
        for puller in pullers { await puller.close() }
        await consumers.value
    }

    @Test("ROUTER/DEALER: acked requests, many outstanding, invalid ones answered with -ERR")
    func acknowledgedRequests() async throws {
        let responder = try await AckResponder.start(
            context: context, name: "ingest", endpoints: [.bind(TestTransport.ipc.bindAddress())])
        let endpoint = try await responder.boundEndpoint()
        // A responder that acks valid envelopes in reverse order of arrival, per batch.
        let serving = Task {
            var answered = 0
            while answered < 51 {
                let batch = await responder.nextBatch(max: 100)
                if batch.isEmpty { return }
                for request in batch.reversed() {
                    let ack: Ack
                    switch request.envelope {
                    case .success(let envelope): ack = .ok(msgID: envelope.msgID ?? "")
                    case .failure(let error): ack = .error(msgID: request.msgID ?? "", reason: error.reason.rawValue)
                    }
                    try await responder.reply(ack, to: request.peer)
                    answered += 1
                }
            }
        }
        let requester = try await AckRequester.start(context: context, name: "client", endpoints: [.connect(endpoint)])
        let acks = try await withThrowingTaskGroup(of: Ack.self) { group in
            for index in 0..<50 {
                group.addTask {
                    try await requester.request(self.envelope("lead.upsert.acme", msgID: "m-\(index)"), timeout: .seconds(30))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(acks) == Set((0..<50).map { Ack.ok(msgID: "m-\($0)") }))

        // A message whose subject is invalid still gets an answer naming its msg id.
        var bad = try envelope("lead.upsert.acme", msgID: "bad-1")
        bad.payload = []
        let raw = try ZMQSocket(context: context, type: .dealer)
        try raw.connect(endpoint)
        try raw.send([Array("lead.*.acme".utf8), HeaderBlock.encode(bad.headers), []])
        #expect(try Ack(frames: try #require(try raw.receive())) == .error(msgID: "bad-1", reason: "Invalid Subject"))
        try await serving.value

        await #expect(throws: AckError.missingMsgID) {
            try await requester.request(self.envelope("lead.upsert.acme"), timeout: .seconds(1))
        }
        await requester.close()
        await responder.close()
    }

    @Test("a client that stops reading its acks does not hold up the other clients' acks")
    func slowClientDoesNotBlockOthers() async throws {
        var small = SocketOptions()
        small.sendHighWaterMark = 5
        small.receiveHighWaterMark = 5
        let responder = try await AckResponder.start(
            context: context, name: "ingest", endpoints: [.bind("inproc://acks")], options: small)
        // A raw DEALER that sends one request and then never reads: its pipe fills up.
        let stalled = try ZMQSocket(context: context, type: .dealer, options: small)
        try stalled.connect("inproc://acks")
        try stalled.send(try envelope("lead.upsert.acme", msgID: "stalled").frames)
        let stalledPeer = try #require(await responder.next()).peer
        for index in 0..<100 { try await responder.reply(.ok(msgID: "flood-\(index)"), to: stalledPeer) }

        let requester = try await AckRequester.start(context: context, name: "client", endpoints: [.connect("inproc://acks")])
        let serving = Task {
            let request = try #require(await responder.next())
            try await responder.reply(.ok(msgID: request.msgID ?? ""), to: request.peer)
        }
        let ack = try await requester.request(envelope("lead.upsert.acme", msgID: "healthy"), timeout: .seconds(30))
        #expect(ack == .ok(msgID: "healthy"))
        try await serving.value
        #expect(responder.socketStatistics.sendFailures > 0, "replies the stalled client could not take are dropped and counted")
        await requester.close()
        await responder.close(drainTimeout: .zero)
    }

    @Test("a request nobody answers times out")
    func requestTimesOut() async throws {
        let silent = try await AckResponder.start(context: context, name: "silent", endpoints: [.bind("inproc://silent")])
        let requester = try await AckRequester.start(context: context, name: "client", endpoints: [.connect("inproc://silent")])
        await #expect(throws: AckError.timedOut(msgID: "m-1")) {
            try await requester.request(self.envelope("lead.upsert.acme", msgID: "m-1"), timeout: .milliseconds(100))
        }
        #expect(await silent.next()?.msgID == "m-1")
        await requester.close()
        await silent.close()
    }

    @Test("a request with a shorter time-out than those already waiting still times out on time")
    func mixedTimeouts() async throws {
        let silent = try await AckResponder.start(context: context, name: "silent", endpoints: [.bind("inproc://mixed")])
        let requester = try await AckRequester.start(context: context, name: "client", endpoints: [.connect("inproc://mixed")])
        let patient = Task { try await requester.request(self.envelope("lead.upsert.acme", msgID: "long"), timeout: .seconds(600)) }
        #expect(await silent.next()?.msgID == "long")  // its 600 s timer is armed
        let started = ContinuousClock.now
        await #expect(throws: AckError.timedOut(msgID: "short")) {
            try await requester.request(self.envelope("lead.upsert.acme", msgID: "short"), timeout: .milliseconds(100))
        }
        #expect(started.duration(to: .now) < .seconds(60), "the earlier deadline armed a timer of its own")
        await requester.close()
        await #expect(throws: AckError.closed) { try await patient.value }
        await silent.close()
    }

    @Test("bad messages are counted and skipped; the ones around them keep flowing")
    func badMessagesDoNotStopTheFlow() async throws {
        let puller = try await BusPuller.start(context: context, name: "results", endpoints: [.bind("inproc://results")])
        let raw = try ZMQSocket(context: context, type: .push)
        try raw.connect("inproc://results")
        let good = try envelope("result.email", "ok")
        try raw.send(good.frames)
        try raw.send([Array("result.email".utf8), []])  // two frames
        try raw.send([Array("result email".utf8), [], []])  // invalid subject
        try raw.send([Array("result.email".utf8), Array("garbage".utf8), []])  // malformed headers
        try raw.send([Array("result.email".utf8), [], [UInt8](repeating: 1, count: 1_048_577)])  // too large
        #expect(try raw.send(good))  // the envelope sent directly, frame by frame
        #expect(await puller.next() == good)
        #expect(await puller.next() == good)
        let statistics = puller.statistics
        #expect(statistics.accepted == 2)
        #expect(statistics.rejected == ["Malformed Message": 1, "Invalid Subject": 1, "Malformed Headers": 1, "Payload Too Large": 1])
        await puller.close()
    }
}
