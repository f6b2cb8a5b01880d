import Logging
import Synchronization
import ZeroMQ

/// What a CURVE server accepts: a client key on the allow-list, or the process's own key (its sibling
/// services share it). Decides ZAP requests, counts them, and names the clients behind `User-Id`s.
///
/// A peer's `User-Id` is its public key, not its name: two keys of one client (a rotation) share a name, and
/// a key taken off the list loses its organizations at once, on connections it already has.
final class CurvePolicy: Sendable {
    let allowList: CurveAllowListWatch
    let ownKey: String
    private let logger: Logger
    private let counters = Mutex(BusAuthenticator.Statistics())

    init(allowList: CurveAllowListWatch, ownKey: String, logger: Logger) {
        self.allowList = allowList
        self.ownKey = ownKey
        self.logger = logger
    }

    var statistics: BusAuthenticator.Statistics { counters.withLock { $0 } }

    /// Answers one handshake: CURVE with an allowed key, and nothing else; each refusal logged with the
    /// peer's address.
    func decide(_ request: ZAPRequest) -> ZAPDecision {
        let decision: ZAPDecision
        if request.mechanism != "CURVE" || request.curvePublicKey == nil {
            decision = .deny(reason: "CURVE required")
        } else if let key = request.curvePublicKey, client(userID: key) == nil {
            decision = .deny(reason: "key not on the allow-list")
        } else if request.domain != BusSecurity.publishDomain, let key = request.curvePublicKey,
            client(userID: key)?.organizations != nil
        {
            // Dispatches, results and events carry every organization's leads; only ingest checks organizations.
            decision = .deny(reason: "a key bound to organizations may only publish to ingest")
        } else {
            decision = .allow(userID: request.curvePublicKey ?? "")
        }
        switch decision {
        case .allow(let key):
            counters.withLock { $0.accepted += 1 }
            logger.debug(
                "CURVE client accepted",
                metadata: ["peer.address": "\(request.address)", "curve.client": "\(client(userID: key)?.name ?? "?")"])
        case .deny(let reason):
            counters.withLock { $0.refused += 1 }
            logger.warning(
                "CURVE handshake refused",
                metadata: [
                    "peer.address": "\(request.address)", "zap.mechanism": "\(request.mechanism)",
                    "curve.public_key": "\(request.curvePublicKey ?? "-")", "reason": "\(reason)",
                ])
        }
        return decision
    }

    /// The allow-list entry of a `User-Id`; the process's own key may publish for every organization.
    func client(userID: String) -> CurveAllowList.Entry? {
        if userID == ownKey { return CurveAllowList.Entry(publicKey: userID, name: "self") }
        return allowList.current.entry(for: userID)
    }
}
