import CZeroMQ
import Foundation
import LeadflowTestKit
import Testing

@testable import ZeroMQ

@Suite("ZMQSocket")
struct ZMQSocketTests {
    let context: ZMQContext

    init() throws { context = try ZMQContext() }

    @Test("options are applied to the socket")
    func optionsApplied() throws {
        var options = SocketOptions()
        options.sendHighWaterMark = 123
        options.receiveHighWaterMark = 456
        options.lingerMilliseconds = 250
        options.maxMessageSize = 4096
        options.immediate = true
        options.heartbeatIntervalMilliseconds = 2_000
        let socket = try ZMQSocket(context: context, type: .push, options: options)
        #expect(try socket.int32Option(ZMQ_SNDHWM, name: "SNDHWM") == 123)
        #expect(try socket.int32Option(ZMQ_RCVHWM, name: "RCVHWM") == 456)
        #expect(try socket.int32Option(ZMQ_LINGER, name: "LINGER") == 250)
        #expect(try socket.int64Option(ZMQ_MAXMSGSIZE, name: "MAXMSGSIZE") == 4096)
        #expect(try socket.int32Option(ZMQ_IMMEDIATE, name: "IMMEDIATE") == 1)
        #expect(try socket.int32Option(ZMQ_HEARTBEAT_IVL, name: "HEARTBEAT_IVL") == 2_000)
    }

    @Test("multipart messages arrive whole and in order", arguments: TestTransport.allCases)
    func multipartRoundTrip(transport: TestTransport) throws {
        let pull = try ZMQSocket(context: context, type: .pull)
        try pull.bind(transport.bindAddress())
        let push = try ZMQSocket(context: context, type: .push)
        try push.connect(try pull.lastEndpoint)
        let frames: [[UInt8]] = [Array("lead.created.acme".utf8), [], Array(repeating: 7, count: 10_000)]
        try push.send(frames)
        try push.send([[1], [2]])
        #expect(try pull.receive() == frames)
        #expect(try pull.receive() == [[1], [2]])
    }

    @Test("a non-blocking receive with nothing waiting returns nil")
    func dontWaitReturnsNil() throws {
        let pull = try ZMQSocket(context: context, type: .pull)
        try pull.bind(TestTransport.inproc.bindAddress())
        #expect(try pull.receive(dontWait: true) == nil)
    }

    @Test("parts beyond maxFrames are discarded but counted")
    func truncatesLongMessages() throws {
        let address = TestTransport.inproc.bindAddress()
        let pull = try ZMQSocket(context: context, type: .pull)
        try pull.bind(address)
        let push = try ZMQSocket(context: context, type: .push)
        try push.connect(address)
        try push.send((0..<10).map { [UInt8($0)] })
        try push.send([[42]])
        var frames: [[UInt8]] = []
        #expect(try pull.receive(into: &frames, maxFrames: 3) == 10)
        #expect(frames == [[0], [1], [2]])
        // The next message is intact: the discarded parts did not leak into it.
        #expect(try pull.receive(into: &frames, maxFrames: 3) == 1)
        #expect(frames == [[42]])
    }

    /// `receive(into:)` refills frames in place when their storage is free: a copy of an earlier message the
    /// caller kept must never change, a big frame must not leave its capacity behind, and shorter or empty
    /// frames must not keep stale bytes.
    @Test("receiving into the same frames reuses free storage and never touches kept messages")
    func refillKeepsEarlierMessages() throws {
        let address = TestTransport.inproc.bindAddress()
        let pull = try ZMQSocket(context: context, type: .pull)
        try pull.bind(address)
        let push = try ZMQSocket(context: context, type: .push)
        try push.connect(address)
        let messages: [[[UInt8]]] = [
            [Array("a.b".utf8), Array(repeating: 1, count: 100), Array(repeating: 2, count: 200)],
            [Array("c".utf8), [], Array(repeating: 3, count: 50)],
            [Array("d.e.f".utf8), Array(repeating: 4, count: 1_000_000), [5]],
            [Array("g".utf8), [6], [7]],
        ]
        for message in messages { try push.send(message) }
        var frames: [[UInt8]] = []
        var kept: [[[UInt8]]] = []
        for (index, message) in messages.enumerated() {
            #expect(try pull.receive(into: &frames) == 3)
            #expect(frames == message)
            if index % 2 == 0 { kept.append(frames) }  // held while the next message lands in `frames`
        }
        #expect(kept == [messages[0], messages[2]])
        #expect(frames[1].capacity < 1_000_000)
    }

    @Test("a non-blocking send without a peer reports that it would block")
    func sendWouldBlockWithoutPeer() throws {
        let push = try ZMQSocket(context: context, type: .push)
        try push.bind(TestTransport.inproc.bindAddress())
        #expect(try push.send([[1]], dontWait: true) == false)
    }

    @Test("errors carry the operation, errno and endpoint")
    func errorsAreMapped() throws {
        let socket = try ZMQSocket(context: context, type: .pull)
        let error = #expect(throws: ZMQError.self) { try socket.bind("nonsense://x") }
        #expect(error?.operation == "zmq_bind")
        #expect(error?.code == EPROTONOSUPPORT)
        #expect(error?.description.contains("nonsense://x") == true)

        try socket.bind("tcp://127.0.0.1:*")
        let taken = try socket.lastEndpoint
        let other = try ZMQSocket(context: context, type: .pull)
        let inUse = #expect(throws: ZMQError.self) { try other.bind(taken) }
        #expect(inUse?.code == EADDRINUSE)
    }

    @Test("a closed socket throws instead of crashing")
    func closedSocketThrows() throws {
        let socket = try ZMQSocket(context: context, type: .push)
        socket.close()
        socket.close()
        #expect(throws: ZMQError.self) { try socket.send([[1]]) }
    }

    @Test("messages over ZMQ_MAXMSGSIZE never reach the receiver")
    func maxMessageSizeDropsOversize() throws {
        var small = SocketOptions()
        small.maxMessageSize = 1_000
        small.receiveTimeoutMilliseconds = 200
        let pull = try ZMQSocket(context: context, type: .pull, options: small)
        try pull.bind("tcp://127.0.0.1:*")
        let push = try ZMQSocket(context: context, type: .push)
        try push.connect(try pull.lastEndpoint)
        try push.send([Array(repeating: 1, count: 5_000)])
        // libzmq drops the connection on the oversize message; the sender reconnects, so small messages
        // sent afterwards get through and the large one never does.
        var received: [[UInt8]]? = nil
        for _ in 0..<50 where received == nil {
            try push.send([[9]], dontWait: true)
            received = try pull.receive()
        }
        #expect(received == [[9]])
    }

    @Test("CURVE: the right server key gets through, a wrong one does not")
    func curveSecurity() throws {
        #expect(ZMQContext.has("curve"))
        let server = try CurveKeyPair.generate()
        let client = try CurveKeyPair.generate()
        let stranger = try CurveKeyPair.generate()
        #expect(server.publicKey.utf8.count == 40 && server.secretKey.revealed.utf8.count == 40)

        var serverOptions = SocketOptions()
        serverOptions.curve = .server(secretKey: server.secretKey)
        serverOptions.receiveTimeoutMilliseconds = 3_000
        let pull = try ZMQSocket(context: context, type: .pull, options: serverOptions)
        try pull.bind("tcp://127.0.0.1:*")
        let endpoint = try pull.lastEndpoint

        var wrongOptions = SocketOptions()
        wrongOptions.curve = .client(
            publicKey: client.publicKey, secretKey: client.secretKey, serverPublicKey: stranger.publicKey)
        let impostor = try ZMQSocket(context: context, type: .push, options: wrongOptions)
        try impostor.connect(endpoint)
        // IMMEDIATE: with the handshake failing there is no completed connection to queue to.
        #expect(try impostor.send([Array("impostor".utf8)], dontWait: true) == false)

        var rightOptions = SocketOptions()
        rightOptions.curve = .client(
            publicKey: client.publicKey, secretKey: client.secretKey, serverPublicKey: server.publicKey)
        let push = try ZMQSocket(context: context, type: .push, options: rightOptions)
        try push.connect(endpoint)
        try push.send([Array("secret".utf8)])
        #expect(try pull.receive() == [Array("secret".utf8)])
    }
}
