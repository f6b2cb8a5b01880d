import LeadflowTestKit
import Testing

@testable import ZeroMQ

@Suite("SocketLoop")
struct SocketLoopTests {
    let context: ZMQContext

    init() throws { context = try ZMQContext() }

    func pair(_ transport: TestTransport, inboxCapacity: Int = 10_000, outboxCapacity: Int = 10_000) async throws
        -> (push: SocketLoop, pull: SocketLoop)
    {
        var pullConfiguration = SocketLoop.Configuration(name: "pull", type: .pull)
        pullConfiguration.inboxCapacity = inboxCapacity
        let address = transport.bindAddress()
        let pull = try await SocketLoop.start(context: context, configuration: pullConfiguration) { try $0.bind(address) }
        let endpoint = try await pull.perform { try $0.lastEndpoint }
        var pushConfiguration = SocketLoop.Configuration(name: "push", type: .push)
        pushConfiguration.outboxCapacity = outboxCapacity
        let push = try await SocketLoop.start(context: context, configuration: pushConfiguration) { try $0.connect(endpoint) }
        return (push, pull)
    }

    @Test("messages sent from async code arrive in order", arguments: TestTransport.allCases)
    func sendAndReceive(transport: TestTransport) async throws {
        let (push, pull) = try await pair(transport)
        for index in 0..<1_000 { try await push.send([[UInt8(index % 256)], Array("x\(index)".utf8)]) }
        var iterator = pull.inbound.makeAsyncIterator()
        for index in 0..<1_000 {
            let message = try #require(await iterator.next())
            #expect(message.frames == [[UInt8(index % 256)], Array("x\(index)".utf8)])
        }
        #expect(push.statistics.sent == 1_000)
        #expect(pull.statistics.received == 1_000)
        await push.close()
        await pull.close()
    }

    @Test("a batch larger than the outbox goes out whole and in order")
    func batchSend() async throws {
        let (push, pull) = try await pair(.inproc, outboxCapacity: 7)
        let batch = (0..<1_000).map { [[UInt8(truncatingIfNeeded: $0)], Array("b\($0)".utf8)] }
        let sending = Task { try await push.send(contentsOf: batch) }
        var received: [[[UInt8]]] = []
        var iterator = pull.inbound.makeAsyncIterator()
        while received.count < batch.count, let message = await iterator.next() { received.append(message.frames) }
        try await sending.value
        #expect(received == batch)
        await push.close()
        await pull.close()
    }

    @Test("a full inbox stops reading and resumes when the consumer catches up")
    func inboxBackPressure() async throws {
        let (push, pull) = try await pair(.inproc, inboxCapacity: 4)
        for index in 0..<200 { try await push.send([[UInt8(index)]]) }
        var seen: [UInt8] = []
        while seen.count < 200 {
            let batch = await pull.inbound.nextBatch(max: 3)
            #expect(batch.count <= 3)
            seen += batch.map { $0.frames[0][0] }
        }
        #expect(seen == (0..<200).map { UInt8($0) })
        await push.close()
        await pull.close()
    }

    @Test("trySend refuses when the outbox is full instead of blocking")
    func trySendRefusesWhenFull() async throws {
        var configuration = SocketLoop.Configuration(name: "lonely-push", type: .push)
        configuration.outboxCapacity = 3
        // No peer: nothing leaves the outbox's head, so it fills up.
        let address = TestTransport.inproc.bindAddress()
        let push = try await SocketLoop.start(context: context, configuration: configuration) { try $0.bind(address) }
        var accepted = 0
        for _ in 0..<100 where push.trySend([[1]]) { accepted += 1 }
        #expect(accepted >= 3 && accepted < 100)
        await push.close(drainTimeout: .milliseconds(10))
        #expect(push.statistics.abandonedOnClose > 0)
        #expect(push.trySend([[1]]) == false)
        await #expect(throws: SocketLoopError.self) { try await push.send([[1]]) }
    }

    @Test("close flushes what is queued before closing")
    func closeDrains() async throws {
        let (push, pull) = try await pair(.tcp)
        for index in 0..<500 { #expect(push.trySend([[UInt8(index % 256)]])) }
        await push.close(drainTimeout: .seconds(10))
        #expect(push.statistics.sent == 500)
        #expect(push.statistics.abandonedOnClose == 0)
        var received = 0
        for await _ in pull.inbound {
            received += 1
            if received == 500 { break }
        }
        #expect(received == 500)
        await pull.close()
    }

    @Test("setup errors surface from start")
    func setupErrorsSurface() async throws {
        await #expect(throws: ZMQError.self) {
            _ = try await SocketLoop.start(context: context, configuration: .init(name: "bad", type: .pull)) {
                try $0.bind("nonsense://endpoint")
            }
        }
    }

    @Test("context shutdown ends every loop and its inbound sequence")
    func contextShutdownEndsLoops() async throws {
        let (push, pull) = try await pair(.inproc)
        context.shutdown()
        var iterator = pull.inbound.makeAsyncIterator()
        #expect(await iterator.next() == nil)
        await push.close()
        await pull.close()
    }

    @Test("the wake signal wakes a poll")
    func wakeSignal() throws {
        let signal = try WakeSignal()
        var poller = ZMQPoller()
        let index = poller.add(fileDescriptor: signal.fileDescriptor, events: .readable)
        #expect(try poller.poll(timeoutMilliseconds: 0) == 0)
        signal.raise()
        #expect(try poller.poll(timeoutMilliseconds: 1_000) == 1)
        #expect(poller.ready(index).contains(.readable))
        signal.clear()
        #expect(try poller.poll(timeoutMilliseconds: 0) == 0)
    }
}
