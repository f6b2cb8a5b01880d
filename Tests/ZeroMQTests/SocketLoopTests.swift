import LeadflowTestKit
import Synchronization
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

    /// A PUSH socket bound with no peer and an outbox of 3, filled for good, so that a send must wait.
    func stuckPush(_ name: String) async throws -> SocketLoop {
        var configuration = SocketLoop.Configuration(name: name, type: .push)
        configuration.outboxCapacity = 3
        let address = TestTransport.inproc.bindAddress()
        let push = try await SocketLoop.start(context: context, configuration: configuration) { try $0.bind(address) }
        // The owner thread takes one batch out of the outbox, which it cannot send and keeps; from then on
        // nothing leaves the outbox. More accepted than it holds means that batch was taken.
        let accepted = Mutex(0)
        try await eventually("the owner thread holds a batch it cannot send", timeout: .seconds(10)) {
            accepted.withLock { accepted in
                while push.trySend([[1]]) { accepted += 1 }
                return accepted > push.configuration.outboxCapacity
            }
        }
        return push
    }

    /// Sends one message from a task of its own — once that task is cancelled, with `afterCancellation` — and
    /// `ended` yields how the send ended: `sent`, `cancelled`, or the error's description.
    func sendInTask(_ push: SocketLoop, afterCancellation: Bool = false) -> (task: Task<Void, Never>, ended: AsyncStream<String>) {
        let (ended, ending) = AsyncStream.makeStream(of: String.self)
        let task = Task {
            // Ended by the cancellation, so the send starts in a cancelled task.
            if afterCancellation { try? await Task.sleep(for: .seconds(3_600)) }
            do {
                try await push.send([[2]])
                ending.yield("sent")
            } catch is CancellationError {
                ending.yield("cancelled")
            } catch {
                ending.yield("\(error)")
            }
        }
        return (task, ended)
    }

    @Test("a send waiting for room in a full outbox ends with CancellationError as soon as its task is cancelled")
    func cancelWhileWaitingForRoom() async throws {
        let push = try await stuckPush("stuck-push")
        let first = sendInTask(push)
        let second = sendInTask(push)
        try await eventually("both sends wait for room", timeout: .seconds(10)) { push.sendersWaitingForRoom == 2 }

        first.task.cancel()
        // `within` gives up on its own: the stream's iterator ends when cancelled, whether or not the send does.
        let outcome = try await within(.seconds(5)) { await first.ended.first { _ in true } ?? "stream ended" }
        #expect(outcome == "cancelled")
        #expect(push.sendersWaitingForRoom == 1, "only the cancelled send stopped waiting")

        // The other send still waits, and closing the loop releases it with the loop's error.
        await push.close(drainTimeout: .milliseconds(10))
        let closed = try await within(.seconds(5)) { await second.ended.first { _ in true } ?? "stream ended" }
        #expect(closed == "\(SocketLoopError.closed(name: "stuck-push"))")
        #expect(push.sendersWaitingForRoom == 0)
    }

    @Test("a task cancelled before it sends to a full outbox does not wait at all")
    func cancelledBeforeWaiting() async throws {
        let push = try await stuckPush("stuck-push-2")
        let sending = sendInTask(push, afterCancellation: true)
        sending.task.cancel()
        let outcome = try await within(.seconds(5)) { await sending.ended.first { _ in true } ?? "stream ended" }
        #expect(outcome == "cancelled")
        #expect(push.sendersWaitingForRoom == 0)
        await push.close(drainTimeout: .milliseconds(10))
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
