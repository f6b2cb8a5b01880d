/// One ZAP authentication request (ZeroMQ RFC 27), as libzmq sends it for each handshake of a CURVE socket.
public struct ZAPRequest: Sendable, Equatable {
    public let requestID: [UInt8]
    public let domain: String
    /// The peer's address, e.g. `127.0.0.1` (no port).
    public let address: String
    /// `NULL`, `PLAIN` or `CURVE`.
    public let mechanism: String
    /// For CURVE, the client's long-term public key in Z85 text form; otherwise `nil`.
    public let curvePublicKey: String?

    public init(requestID: [UInt8], domain: String, address: String, mechanism: String, curvePublicKey: String?) {
        self.requestID = requestID
        self.domain = domain
        self.address = address
        self.mechanism = mechanism
        self.curvePublicKey = curvePublicKey
    }

    /// Reads the frames libzmq sends: version, request id, domain, address, routing id, mechanism,
    /// credentials. `nil` for anything else (the handler then refuses).
    init?(frames: [[UInt8]]) {
        guard frames.count >= 6, frames[0] == Array("1.0".utf8) else { return nil }
        let mechanism = String(decoding: frames[5], as: UTF8.self)
        let key = mechanism == "CURVE" && frames.count >= 7 ? CurveKeyPair.z85(frames[6]) : nil
        self.init(
            requestID: frames[1], domain: String(decoding: frames[2], as: UTF8.self),
            address: String(decoding: frames[3], as: UTF8.self), mechanism: mechanism, curvePublicKey: key)
    }
}

/// A ZAP handler's answer to one ``ZAPRequest``.
public enum ZAPDecision: Sendable, Equatable {
    /// The peer may connect; its messages carry `userID` as their `User-Id` property.
    case allow(userID: String)
    /// The handshake fails; `reason` is the status text libzmq logs, never a secret.
    case deny(reason: String)

    func replyFrames(to request: ZAPRequest) -> [[UInt8]] {
        switch self {
        case .allow(let userID):
            [Array("1.0".utf8), request.requestID, Array("200".utf8), Array("OK".utf8), Array(userID.utf8), []]
        case .deny(let reason):
            [Array("1.0".utf8), request.requestID, Array("400".utf8), Array(reason.utf8), [], []]
        }
    }
}
