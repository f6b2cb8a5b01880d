import LeadflowCurve

/// The `bus.*` keys — CURVE on every socket that may cross hosts — and how they become a ``BusSecurity``.
enum BusSettings {
    static let keys: [ConfigKey] = [
        ConfigKey(
            "bus.curve_secret_key_file", "",
            "this process's CURVE secret key (leadflow keys generate); sockets it binds are CURVE servers, sockets it connects CURVE clients (empty: plaintext)"),
        ConfigKey(
            "bus.curve_server_key_file", "",
            "public key file of the services this process connects to (default: this process's own public key, when services share one key pair)"),
        ConfigKey(
            "bus.curve_allow", "",
            "allow-list of client public keys, a file or a directory of files (lines: <key> <name> [org,org…]); re-read within a second of a change"),
        ConfigKey(
            "bus.allow_plaintext", "false",
            "let a service bind a non-loopback tcp address without CURVE (anyone who reaches it can publish)"),
    ]

    /// Reads the key files now, so that a missing or unreadable one stops the start with its name and why.
    static func resolve(_ values: inout ConfigValues) -> BusSecurity {
        var security = BusSecurity()
        security.allowPlaintext = values.bool("bus.allow_plaintext")
        security.allowListPath = values.string("bus.curve_allow")
        if let path = values.string("bus.curve_secret_key_file") {
            do {
                security.keyPair = try CurveKeyFile.keyPair(secretKeyFile: path)
            } catch {
                values.report(["bus.curve_secret_key_file: \(error)"])
            }
        }
        if let path = values.string("bus.curve_server_key_file") {
            do {
                security.serverPublicKey = try CurveKeyFile.publicKey(file: path)
            } catch {
                values.report(["bus.curve_server_key_file: \(error)"])
            }
            if values.string("bus.curve_secret_key_file") == nil {
                values.report([
                    "bus.curve_server_key_file is set but bus.curve_secret_key_file is not: a CURVE client needs a key pair of its own"
                ])
            }
        }
        return security
    }
}
