import Foundation
import LeadflowTestKit
import Testing
import ZeroMQ

@testable import LeadflowCurve

@Suite("CURVE allow-list and key files")
struct CurveAllowListTests {
    static let alice = try! CurveKeyPair.generate()
    static let bob = try! CurveKeyPair.generate()

    @Test("lines name a key, its client and optionally its organizations; comments and blank lines are skipped")
    func parses() throws {
        let text = """
            # clients of the bus
            \(Self.alice.publicKey) crm-eu acme,globex   # the EU CRM

            \(Self.bob.publicKey) reporting
            """
        let list = try CurveAllowList.parse(text, file: "allow.txt")
        #expect(list.count == 2)
        let alice = try #require(list.entry(for: Self.alice.publicKey))
        #expect(alice.name == "crm-eu")
        #expect(alice.organizations == ["acme", "globex"])
        #expect(alice.mayPublish(for: "acme") && !alice.mayPublish(for: "initech"))
        let bob = try #require(list.entry(for: Self.bob.publicKey))
        #expect(bob.organizations == nil && bob.mayPublish(for: "initech"), "a key without organizations may publish for any")
    }

    struct BadLine: Sendable, CustomTestStringConvertible {
        let line: String
        let reason: String
        var testDescription: String { reason }
    }

    static let badLines: [BadLine] = [
        BadLine(line: "not-a-key crm", reason: "the first field is not a 40-character Z85 CURVE public key"),
        BadLine(line: alice.publicKey, reason: "the key has no name (expected <key> <name> [org,org…])"),
        BadLine(line: "\(alice.publicKey) crm acme globex", reason: "too many fields (expected <key> <name> [org,org…]; separate organizations with commas)"),
        BadLine(line: "\(alice.publicKey) crm acme,,globex", reason: "organizations must be a comma-separated list without empty names"),
        // A secret key pasted where a public one belongs: the error must not print it.
        BadLine(line: "\(alice.secretKey.revealed)x crm", reason: "the first field is not a 40-character Z85 CURVE public key"),
    ]

    @Test("a malformed line is an error naming the file and line, never the line's text", arguments: badLines)
    func malformedLine(_ bad: BadLine) throws {
        let text = "# header\n\(Self.bob.publicKey) ok\n\(bad.line)\n"
        let error = try #require(throws: CurveKeyError.self) { try CurveAllowList.parse(text, file: "keys/allow.txt") }
        #expect(error.code == .malformedLine)
        #expect(error.description == "keys/allow.txt:3: \(bad.reason)")
        #expect(!error.description.contains(Self.alice.secretKey.revealed))
    }

    @Test("the same key twice is an error; the same name twice is a rotation")
    func duplicates() throws {
        let twice = "\(Self.alice.publicKey) a\n\(Self.alice.publicKey) b\n"
        let error = try #require(throws: CurveKeyError.self) { try CurveAllowList.parse(twice, file: "f") }
        #expect(error.description == "f:2: this key is already on the list")
        let rotation = try CurveAllowList.parse("\(Self.alice.publicKey) crm\n\(Self.bob.publicKey) crm\n", file: "f")
        #expect(rotation.count == 2)
    }

    @Test("a directory is read file by file, hidden files skipped; errors name the file")
    func directory() async throws {
        try await withTemporaryFolder { folder in
            try "\(Self.alice.publicKey) alice acme\n".write(toFile: folder + "/alice.pub", atomically: true, encoding: .utf8)
            try "\(Self.bob.publicKey) bob\n".write(toFile: folder + "/bob.pub", atomically: true, encoding: .utf8)
            try "garbage\n".write(toFile: folder + "/.alice.pub.swp", atomically: true, encoding: .utf8)
            let list = try CurveAllowList.load(path: folder)
            #expect(Set(list.entries.keys) == [Self.alice.publicKey, Self.bob.publicKey])
            try "\n\nbroken line\n".write(toFile: folder + "/carol.pub", atomically: true, encoding: .utf8)
            let error = try #require(throws: CurveKeyError.self) { try CurveAllowList.load(path: folder) }
            #expect(error.description == "\(folder)/carol.pub:3: the first field is not a 40-character Z85 CURVE public key")
        }
    }

    @Test("keys generate's files: the secret 0600, the public 0644 and an allow-list line; no overwrite unless told")
    func keyFiles() async throws {
        try await withTemporaryFolder { folder in
            let pair = try CurveKeyPair.generate()
            let path = folder + "/crm.key"
            let publicPath = try CurveKeyFile.write(pair, to: path, name: "crm", organizations: ["acme"])
            #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
            #expect(try FileManager.default.attributesOfItem(atPath: publicPath)[.posixPermissions] as? Int == 0o644)
            #expect(try CurveKeyFile.keyPair(secretKeyFile: path) == pair)
            #expect(try CurveKeyFile.publicKey(file: publicPath) == pair.publicKey)
            #expect(try CurveAllowList.load(path: publicPath).entry(for: pair.publicKey)?.organizations == ["acme"])
            #expect(!(try String(contentsOfFile: publicPath, encoding: .utf8)).contains(pair.secretKey.revealed))

            let refused = try #require(throws: CurveKeyError.self) {
                try CurveKeyFile.write(try CurveKeyPair.generate(), to: path, name: "crm")
            }
            #expect(refused.code == .exists)
            #expect(try CurveKeyFile.keyPair(secretKeyFile: path) == pair, "the refused write changed nothing")
            let replacement = try CurveKeyPair.generate()
            try CurveKeyFile.write(replacement, to: path, name: "crm", overwrite: true)
            #expect(try CurveKeyFile.keyPair(secretKeyFile: path) == replacement)
        }
    }

    @Test("a missing, unreadable or malformed key file says which file and why, without its content")
    func keyFileErrors() async throws {
        try await withTemporaryFolder { folder in
            let missing = try #require(throws: CurveKeyError.self) { try CurveKeyFile.keyPair(secretKeyFile: folder + "/none.key") }
            #expect(missing.description == "\(folder)/none.key: no such file")
            let directory = try #require(throws: CurveKeyError.self) { try CurveKeyFile.keyPair(secretKeyFile: folder) }
            #expect(directory.code == .unreadable)
            let wrong = folder + "/wrong.key"
            try "# comment\n\(Self.alice.secretKey.revealed.dropLast())\n".write(toFile: wrong, atomically: true, encoding: .utf8)
            let malformed = try #require(throws: CurveKeyError.self) { try CurveKeyFile.keyPair(secretKeyFile: wrong) }
            #expect(malformed.description == "\(wrong):2: not a 40-character Z85 CURVE key")
            #expect(!malformed.description.contains(Self.alice.secretKey.revealed.dropLast()))
            if getuid() != 0 {  // root reads any file
                let locked = folder + "/locked.key"
                try CurveKeyFile.write(try CurveKeyPair.generate(), to: locked, name: "x")
                chmod(locked, 0)
                let unreadable = try #require(throws: CurveKeyError.self) { try CurveKeyFile.keyPair(secretKeyFile: locked) }
                #expect(unreadable.code == .unreadable)
            }
        }
    }

    @Test("a non-loopback tcp bind needs CURVE or allow_plaintext; loopback, ipc and inproc do not")
    func plaintextBinds() throws {
        for endpoint in ["tcp://127.0.0.1:4222", "tcp://127.0.0.1:*", "tcp://localhost:1", "tcp://[::1]:5", "inproc://x", "ipc:///tmp/x"] {
            #expect(BusSecurity.staysOnThisHost(endpoint), "\(endpoint)")
        }
        for endpoint in ["tcp://0.0.0.0:4222", "tcp://*:4222", "tcp://10.0.0.5:1", "tcp://eth0:4222", "tcp://[::]:1", "tcp://127.0.0.1.evil:1"] {
            #expect(!BusSecurity.staysOnThisHost(endpoint), "\(endpoint)")
        }
        let binds = [(setting: "ingest.endpoint", endpoint: "tcp://0.0.0.0:4222"), (setting: "ingest.events_endpoint", endpoint: "tcp://127.0.0.1:4223")]
        let problems = BusSecurity.plaintext.bindProblems(binds)
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("ingest.endpoint binds tcp://0.0.0.0:4222 in plaintext") == true)
        #expect(BusSecurity(allowPlaintext: true).bindProblems(binds).isEmpty)
        let noList = BusSecurity(keyPair: Self.alice).bindProblems(binds)
        #expect(noList.first?.contains("bus.curve_allow is not") == true)
        #expect(BusSecurity(keyPair: Self.alice, allowListPath: "/x").bindProblems(binds).isEmpty)
        #expect(!"\(BusSecurity(keyPair: Self.alice))".contains(Self.alice.secretKey.revealed))
        #expect(!"\(BusSecurity(keyPair: Self.alice).bindOptions)".contains(Self.alice.secretKey.revealed))
    }
}
