import Foundation
import LeadflowTestKit
import Logging
import Testing
import ZeroMQ

@testable import LeadflowCurve

/// A CURVE ROUTER with its ZAP handler over real tcp on 127.0.0.1: who gets in, who does not, and that a
/// refused peer changes nothing for the others.
@Suite("CURVE handshakes")
struct CurveHandshakeTests {
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// A CURVE server: a ROUTER that answers every message with its sender's User-Id.
    struct Server: Sendable {
        let context: ZMQContext
        let security: BusSecurity
        let authenticator: BusAuthenticator
        let router: SocketLoop
        let endpoint: String
        let echo: Task<Void, Never>

        static func start(allowList: String) async throws -> Server {
            let context = try ZMQContext()
            let security = BusSecurity(keyPair: try CurveKeyPair.generate(), allowListPath: allowList)
            let authenticator = try #require(try await BusAuthenticator.start(context: context, security: security, logger: logger))
            let router = try await SocketLoop.start(
                context: context, configuration: .init(name: "test.router", type: .router, options: security.publishBindOptions)
            ) { try $0.bind("tcp://127.0.0.1:*") }
            let endpoint = try await router.perform { try $0.lastEndpoint }
            let echo = Task {
                for await message in router.inbound {
                    try? await router.send([message.frames[0], Array((message.userID ?? "none").utf8)])
                }
            }
            return Server(context: context, security: security, authenticator: authenticator, router: router, endpoint: endpoint, echo: echo)
        }

        /// A DEALER connected with `keys` (plaintext when `nil`).
        func client(_ keys: CurveKeyPair?) async throws -> SocketLoop {
            var options = SocketOptions()
            if let keys, let server = security.keyPair {
                options.curve = .client(publicKey: keys.publicKey, secretKey: keys.secretKey, serverPublicKey: server.publicKey)
            }
            return try await SocketLoop.start(
                context: context, configuration: .init(name: "test.dealer", type: .dealer, options: options)
            ) { [endpoint] in try $0.connect(endpoint) }
        }

        /// The server's answer to one message from `client`: the User-Id it saw; `nil` when none came in 10 s.
        func roundTrip(_ client: SocketLoop) async throws -> String? {
            try await client.send([Array("hello".utf8)])
            return try await within(.seconds(10)) {
                await client.inbound.nextBatch(max: 1).first.map { String(decoding: $0.frames[0], as: UTF8.self) }
            } ?? nil
        }

        func stop(_ clients: SocketLoop...) async {
            for client in clients { await client.close(drainTimeout: .zero) }
            await router.close(drainTimeout: .zero)
            echo.cancel()
            await authenticator.close()
            context.shutdown()
        }
    }

    /// The router's count is updated just after it hands a message on, so wait for it before checking that
    /// the keyed client's message is the only one that arrived.
    static func expectOnlyOneReceived(_ server: Server) async throws {
        try await eventually("the router counted the message", timeout: .seconds(10)) {
            server.router.statistics.received >= 1
        }
        #expect(server.router.statistics.received == 1, "only the keyed client's message arrived")
    }

    static func allowListFile(_ folder: String, _ lines: String...) throws -> String {
        let path = folder + "/allow.txt"
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a key on the list is accepted and its messages carry the key as User-Id")
    func accepted() async throws {
        try await withTemporaryFolder { folder in
            let crm = try CurveKeyPair.generate()
            let server = try await Server.start(allowList: try Self.allowListFile(folder, "\(crm.publicKey) crm acme"))
            let client = try await server.client(crm)
            #expect(try await server.roundTrip(client) == crm.publicKey)
            #expect(server.authenticator.client(userID: crm.publicKey)?.name == "crm")
            #expect(server.authenticator.statistics == .init(accepted: 1, refused: 0))
            await server.stop(client)
        }
    }

    @Test("a plaintext peer cannot connect: its handshake fails and is counted; a keyed client is unaffected")
    func plaintextRefused() async throws {
        try await withTemporaryFolder { folder in
            let crm = try CurveKeyPair.generate()
            let server = try await Server.start(allowList: try Self.allowListFile(folder, "\(crm.publicKey) crm"))
            let plaintext = try await server.client(nil)
            try await plaintext.send([Array("let me in".utf8)])
            try await eventually("the plaintext handshake failed", timeout: .seconds(10)) {
                server.router.statistics.handshakeFailures >= 1
            }
            let client = try await server.client(crm)
            #expect(try await server.roundTrip(client) == crm.publicKey)
            try await Self.expectOnlyOneReceived(server)
            await server.stop(plaintext, client)
        }
    }

    @Test("a key not on the list is refused by the ZAP handler, counted, and nothing of it arrives")
    func unknownKeyRefused() async throws {
        try await withTemporaryFolder { folder in
            let crm = try CurveKeyPair.generate()
            let server = try await Server.start(allowList: try Self.allowListFile(folder, "\(crm.publicKey) crm"))
            let stranger = try await server.client(try CurveKeyPair.generate())
            try await stranger.send([Array("let me in".utf8)])
            try await eventually("the stranger was refused", timeout: .seconds(10)) {
                server.authenticator.statistics.refused >= 1 && server.router.statistics.handshakeFailures >= 1
            }
            let client = try await server.client(crm)
            #expect(try await server.roundTrip(client) == crm.publicKey)
            try await Self.expectOnlyOneReceived(server)
            await server.stop(stranger, client)
        }
    }

    @Test("rotation: a client's old and new keys are both accepted while both are listed")
    func rotation() async throws {
        try await withTemporaryFolder { folder in
            let old = try CurveKeyPair.generate()
            let new = try CurveKeyPair.generate()
            let server = try await Server.start(
                allowList: try Self.allowListFile(folder, "\(old.publicKey) crm acme", "\(new.publicKey) crm acme"))
            let before = try await server.client(old)
            let after = try await server.client(new)
            #expect(try await server.roundTrip(before) == old.publicKey)
            #expect(try await server.roundTrip(after) == new.publicKey)
            #expect(server.authenticator.client(userID: old.publicKey)?.name == "crm")
            #expect(server.authenticator.client(userID: new.publicKey)?.name == "crm")
            await server.stop(before, after)
        }
    }

    @Test("the allow-list is reloaded without a restart: an added key gets in, a removed key is refused")
    func reload() async throws {
        try await withTemporaryFolder { folder in
            let old = try CurveKeyPair.generate()
            let new = try CurveKeyPair.generate()
            let path = try Self.allowListFile(folder, "\(old.publicKey) crm")
            let server = try await Server.start(allowList: path)
            let refused = try await server.client(new)
            try await refused.send([Array("hello".utf8)])
            try await eventually("the new key was refused", timeout: .seconds(10)) {
                server.authenticator.statistics.refused == 1
            }
            let before = try await server.client(old)
            #expect(try await server.roundTrip(before) == old.publicKey)

            // Swap the keys. A refused client does not retry (libzmq ends its session), so a new one connects.
            _ = try Self.allowListFile(folder, "\(new.publicKey) crm")
            try await eventually("the list was reloaded", timeout: .seconds(10)) {
                server.authenticator.allowListStatistics.reloads == 1
            }
            let admitted = try await server.client(new)
            #expect(try await server.roundTrip(admitted) == new.publicKey)
            #expect(server.authenticator.client(userID: old.publicKey) == nil, "the removed key lost its entry")
            let removed = try await server.client(old)
            try await removed.send([Array("hello".utf8)])
            try await eventually("the removed key was refused", timeout: .seconds(10)) {
                server.authenticator.statistics.refused == 2
            }
            await server.stop(refused, before, admitted, removed)
        }
    }

    @Test("an allow-list that breaks is not taken: the last good list stays in force")
    func brokenReload() async throws {
        try await withTemporaryFolder { folder in
            let crm = try CurveKeyPair.generate()
            let path = try Self.allowListFile(folder, "\(crm.publicKey) crm")
            let watch = try CurveAllowListWatch(path: path, logger: Self.logger, interval: .zero)
            try "\(crm.publicKey)\n".write(toFile: path, atomically: true, encoding: .utf8)
            watch.refresh()
            #expect(watch.statistics == .init(reloads: 0, failedReloads: 1))
            #expect(watch.current.entry(for: crm.publicKey)?.name == "crm")
        }
    }
}
