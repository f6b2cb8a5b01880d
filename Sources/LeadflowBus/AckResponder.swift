import Logging
import ZeroMQ

/// The ROUTER side of acknowledged requests: receives envelopes from many DEALER clients and answers each
/// with an ``Ack`` addressed to the client that sent it.
public final class AckResponder: Sendable {
    /// One received request: whom to answer, and the envelope or why it is invalid.
    public struct Request: Sendable {
        /// The ROUTER routing id of the sending client.
        public let peer: [UInt8]
        public let envelope: Result<Envelope, EnvelopeError>
        /// The msg id, when the headers could be read — also for invalid envelopes, so `-ERR` can name it.
        public let msgID: String?
        /// On a CURVE socket, the `User-Id` its ZAP handler gave the client's connection; `nil` in plaintext.
        public let userID: String?
    }

    let loop: SocketLoop
    let limits: BusLimits

    init(loop: SocketLoop, limits: BusLimits) {
        self.loop = loop
        self.limits = limits
    }

    public static func start(
        context: ZMQContext, name: String, endpoints: [Endpoint], options: SocketOptions = SocketOptions(),
        limits: BusLimits = .default, logger: Logger = BusDefaults.silentLogger
    ) async throws -> AckResponder {
        let loop = try await SocketLoop.start(
            context: context, configuration: .init(name: name, type: .router, options: options), endpoints: endpoints,
            logger: logger)
        return AckResponder(loop: loop, limits: limits)
    }

    /// Waits for at least one request and returns up to `max` already received; empty once closed.
    public func nextBatch(max: Int) async -> [Request] {
        await loop.inbound.nextBatch(max: max).map(request)
    }

    public func next() async -> Request? { await nextBatch(max: 1).first }

    func request(_ message: Multipart) -> Request {
        let peer = message.frames.first ?? []
        let frames = Array(message.frames.dropFirst())
        let result = Result { () throws(EnvelopeError) in
            try Envelope(frames: frames, partCount: message.partCount - 1, limits: limits)
        }
        var msgID: String?
        switch result {
        case .success(let envelope):
            msgID = envelope.msgID
        case .failure:
            // Best effort, so that the -ERR names the message: a readable header frame in the usual place.
            if frames.count >= 2, let headers = try? HeaderBlock.decode(frames[1], limit: limits.maxHeaderBytes) {
                msgID = headers[Headers.Name.msgID]
            }
        }
        return Request(peer: peer, envelope: result, msgID: msgID, userID: message.userID)
    }

    /// Answers the client `peer`; waits while the outbox is full.
    public func reply(_ ack: Ack, to peer: [UInt8]) async throws {
        try await loop.send([peer] + ack.frames)
    }

    /// Replies sent, replies dropped because their client had gone or stopped reading, and refused handshakes.
    public var socketStatistics: SocketLoop.Statistics { loop.statistics }

    public func boundEndpoint() async throws -> String { try await loop.perform { try $0.lastEndpoint } }

    /// Flushes queued replies for at most `drainTimeout`, then closes.
    public func close(drainTimeout: Duration = .seconds(1)) async { await loop.close(drainTimeout: drainTimeout) }
}
