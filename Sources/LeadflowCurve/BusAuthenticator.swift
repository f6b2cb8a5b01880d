import Logging
import ZeroMQ

/// The ZAP handler of a process whose bus sockets are CURVE servers (see ``CurvePolicy`` for what it
/// accepts): it refuses every handshake but an allowed key's, counts and logs each refusal with the peer's
/// address, and tells ingest which organizations a client may publish for.
public final class BusAuthenticator: Sendable {
    /// Handshakes since start.
    public struct Statistics: Sendable, Equatable {
        public var accepted = 0
        /// Keys not on the allow-list, and handshakes that were not CURVE.
        public var refused = 0
    }

    private let zap: ZAPHandler
    private let policy: CurvePolicy

    private init(zap: ZAPHandler, policy: CurvePolicy) {
        self.zap = zap
        self.policy = policy
    }

    /// Starts the context's ZAP handler when `security` makes this process a CURVE server; `nil` otherwise.
    /// Start it before binding sockets: until a handler is bound libzmq accepts every key.
    public static func start(context: ZMQContext, security: BusSecurity, logger: Logger) async throws
        -> BusAuthenticator?
    {
        guard let keyPair = security.keyPair else { return nil }
        guard let path = security.allowListPath else {
            throw CurveKeyError(.missing, path: "bus.curve_allow", "a CURVE server needs an allow-list of client keys")
        }
        let allowList = try CurveAllowListWatch(path: path, logger: logger)
        let policy = CurvePolicy(allowList: allowList, ownKey: keyPair.publicKey, logger: logger)
        let zap = try await ZAPHandler.start(context: context, logger: logger, tick: { allowList.refresh() }) {
            policy.decide($0)
        }
        logger.info(
            "CURVE on: client keys checked against the allow-list",
            metadata: [
                "curve.allow": "\(path)", "curve.keys": "\(allowList.current.count)",
                "curve.public_key": "\(keyPair.publicKey)",
            ])
        return BusAuthenticator(zap: zap, policy: policy)
    }

    /// The allow-list entry of the client a message came from, by its `User-Id`; `nil` without one, or when
    /// the key is no longer on the list.
    public func client(userID: String?) -> CurveAllowList.Entry? {
        userID.flatMap(policy.client(userID:))
    }

    public var statistics: Statistics { policy.statistics }

    /// Reloads of the allow-list since start.
    public var allowListStatistics: CurveAllowListWatch.Statistics { policy.allowList.statistics }

    /// Stops answering handshakes (start no new CURVE sockets after this).
    public func close() async { await zap.close() }
}
