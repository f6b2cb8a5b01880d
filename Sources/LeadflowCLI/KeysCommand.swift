import ArgumentParser
import LeadflowCurve
import ZeroMQ

/// `leadflow keys`: CURVE key pairs for the bus (docs/security.md).
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Make CURVE key pairs for the bus (docs/security.md).",
        subcommands: [Generate.self])

    /// `leadflow keys generate --out PATH`: a secret key file (0600) and its public key file (0644).
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a new CURVE key pair: the secret key to PATH (mode 0600), the public key to PATH.pub (0644).",
            discussion: """
                PATH.pub is one allow-list line, `<public key> <name> [org,org…]`: copy it into the servers' \
                bus.curve_allow directory (or append it to the file) to let the key in. A service names PATH in \
                bus.curve_secret_key_file; clients name the server's PATH.pub in bus.curve_server_key_file. \
                The secret key is never printed.
                """)

        @Option(name: .customLong("out"), help: ArgumentHelp("Where the secret key goes; the public key goes to <path>.pub.", valueName: "path"))
        var path: String

        @Option(help: "The client's name in allow-lists and logs (default: the file name without its extension).")
        var name: String?

        @Option(
            name: .customLong("org"),
            help: ArgumentHelp("Organizations the key may publish for, comma-separated (default: every one).", valueName: "org,org…"))
        var organizations: String?

        @Flag(help: "Replace existing files.")
        var force = false

        func run() throws {
            guard ZMQContext.has("curve") else { throw CLIError("this libzmq was built without CURVE") }
            let fileName = path.split(separator: "/").last.map(String.init) ?? path
            let name = name ?? String(fileName.split(separator: ".").first ?? Substring(fileName))
            let organizations =
                organizations?.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) } ?? []
            // `--org "$TENANT"` with the variable unset must not make a key good for every organization.
            if organizations.contains(where: \.isEmpty) {
                throw CLIError("--org: an organization name is empty; name at least one, comma-separated")
            }
            let pair = try CurveKeyPair.generate()
            do {
                let publicPath = try CurveKeyFile.write(
                    pair, to: path, name: name, organizations: organizations, overwrite: force)
                print("secret key: \(path) (0600; keep it on this host)")
                print("public key: \(publicPath) — \(pair.publicKey) \(name)\(organizations.isEmpty ? "" : " " + organizations.joined(separator: ","))")
            } catch {
                throw CLIError("\(error)")
            }
        }
    }
}
