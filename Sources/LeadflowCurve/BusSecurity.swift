import ZeroMQ

/// Which CURVE keys a process's bus sockets use — the `bus.*` settings (docs/security.md).
///
/// With a key pair, every socket the process binds is a CURVE server with it, and every socket it connects
/// is a CURVE client with it, trusting ``serverPublicKey``. Without one the bus is plaintext, which only
/// loopback, `ipc://` and `inproc://` endpoints allow unless ``allowPlaintext`` says otherwise.
public struct BusSecurity: Sendable, CustomStringConvertible {
    /// This process's long-term key pair (`bus.curve_secret_key_file`); `nil`: plaintext.
    public var keyPair: CurveKeyPair?
    /// The public key of the services this process connects to (`bus.curve_server_key_file`); by default
    /// this process's own, for deployments whose services share one server key pair.
    public var serverPublicKey: String?
    /// The allow-list file or directory client keys are checked against (`bus.curve_allow`).
    public var allowListPath: String?
    /// Whether a non-loopback tcp endpoint may be bound without CURVE (`bus.allow_plaintext`).
    public var allowPlaintext = false

    public init(
        keyPair: CurveKeyPair? = nil, serverPublicKey: String? = nil, allowListPath: String? = nil,
        allowPlaintext: Bool = false
    ) {
        self.keyPair = keyPair
        self.serverPublicKey = serverPublicKey
        self.allowListPath = allowListPath
        self.allowPlaintext = allowPlaintext
    }

    /// No CURVE: what `leadflow dev` and the tests on loopback run with.
    public static let plaintext = BusSecurity()

    public var isCurve: Bool { keyPair != nil }

    /// The ZAP domain of ingest's ROUTER: the one socket a key bound to organizations may reach, since ingest
    /// checks each of its messages against them. Every other bound socket is in ``busDomain``.
    public static let publishDomain = "leadflow.publish"
    public static let busDomain = "leadflow.bus"

    /// The options of a socket this process binds (dispatches, results, events, telemetry, alerts).
    public var bindOptions: SocketOptions { bindOptions(domain: Self.busDomain) }

    /// The options of ingest's ROUTER, where clients publish.
    public var publishBindOptions: SocketOptions { bindOptions(domain: Self.publishDomain) }

    private func bindOptions(domain: String) -> SocketOptions {
        var options = SocketOptions()
        if let keyPair {
            options.curve = .server(secretKey: keyPair.secretKey)
            options.zapDomain = domain
        }
        return options
    }

    /// The options of a socket this process connects.
    public var connectOptions: SocketOptions {
        var options = SocketOptions()
        if let keyPair {
            options.curve = .client(
                publicKey: keyPair.publicKey, secretKey: keyPair.secretKey,
                serverPublicKey: serverPublicKey ?? keyPair.publicKey)
        }
        return options
    }

    /// Never prints the secret key.
    public var description: String {
        guard let keyPair else { return "BusSecurity(plaintext, allowPlaintext: \(allowPlaintext))" }
        return "BusSecurity(curve, publicKey: \(keyPair.publicKey), serverPublicKey: \(serverPublicKey ?? keyPair.publicKey), "
            + "allowList: \(allowListPath ?? "none"))"
    }
}
