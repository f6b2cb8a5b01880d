import Curl
import Foundation
import LeadflowAdmin
import LeadflowDomain
import LeadflowSecrets
import LeadflowStore
import LeadflowTestKit
import Postgres

/// A real admin service on 127.0.0.1 (a port the kernel picks) over a fresh, migrated database, and a real HTTP
/// client (libcurl) to call it with.
struct AdminHarness: Sendable {
    let databaseURL: String
    let port: Int
    let logs: CapturedLogs
    private let http: CurlWorker

    /// One response, with its body parsed as JSON when it is.
    struct Reply: Sendable, CustomStringConvertible {
        let status: Int
        let headers: HTTPHeaders
        let text: String

        /// The body as a JSON object (empty when it is not one).
        var json: [String: any Sendable] {
            ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: any Sendable]) ?? [:]
        }

        var contentType: String? { headers["content-type"] }
        var description: String { "HTTP \(status) \(text)" }
    }

    /// Runs `body` against a service with `configuration` (its `listen` is replaced by 127.0.0.1:0), then
    /// stops the service and drops the database.
    static func with(
        configuration: AdminConfiguration = .testing, migrated: Bool = true,
        _ body: @Sendable (AdminHarness) async throws -> Void
    ) async throws {
        try await TestDatabase.withFreshDatabase { url in
            if migrated { _ = try await Migrator().migrate(url: url) }
            try await serve(databaseURL: url, configuration: configuration, body)
        }
    }

    /// Runs `body` against a service on `databaseURL`, which need not be reachable.
    static func serve(
        databaseURL: String, configuration: AdminConfiguration = .testing,
        _ body: @Sendable (AdminHarness) async throws -> Void
    ) async throws {
        let logs = CapturedLogs()
        var configuration = configuration
        configuration.listen = "127.0.0.1:0"
        let database = try PostgresClient(configuration: .init(url: databaseURL, connectTimeout: .seconds(2)), maxConnections: 4)
        let service = try AdminService(configuration: configuration, database: database, logger: logs.logger("admin"))
        let http = CurlWorker(name: "admin-test-client")
        let result = await withTaskGroup(of: Void.self) { group -> Result<Void, any Error> in
            group.addTask { try? await service.run() }
            let outcome: Result<Void, any Error>
            do {
                let harness = AdminHarness(databaseURL: databaseURL, port: try await service.port(), logs: logs, http: http)
                try await body(harness)
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            group.cancelAll()
            return outcome
        }
        http.shutdown()
        await database.shutdown()
        try result.get()
    }

    /// Sends `method path` with `token` as the bearer token and `json` as the body (labelled `contentType`).
    func call(
        _ method: HTTPMethod, _ path: String, token: String? = nil, json: String? = nil,
        contentType: String = "application/json", headers extra: [(String, String)] = []
    ) async throws -> Reply {
        var headers: HTTPHeaders = [:]
        if let token { headers.add("Authorization", "Bearer \(token)") }
        if json != nil { headers.add("Content-Type", contentType) }
        for (name, value) in extra { headers.add(name, value) }
        let response = try await http.perform(
            HTTPRequest(method: method, url: "http://127.0.0.1:\(port)\(path)", headers: headers, body: Array((json ?? "").utf8)))
        return Reply(status: response.status, headers: response.headers, text: String(decoding: response.body, as: UTF8.self))
    }

    /// The keys of ``AdminConfiguration/testing``: what the email handler would sign links with.
    static let unsubscribeKeys = try! UnsubscribeKeys([Array(repeating: 0x2A, count: 32)])

    /// Makes a token in the database, as `leadflow admin token create` does; returns its secret and id.
    @discardableResult
    func token(
        _ role: AdminRole, organizations: [String]? = nil, name: String? = nil, expiresAt: Date? = nil
    ) async throws -> (secret: String, id: Int) {
        let name = name ?? "\(role.rawValue)-\(organizations?.joined(separator: "-") ?? "all")-\(UInt32.random(in: 0...UInt32.max))"
        let issued = try await inTransaction { connection in
            try TokenAdministration.create(
                name: name, role: role, organizations: organizations, expiresAt: expiresAt,
                by: .init(tokenID: nil, name: "cli:test"), on: connection)
        }
        return (issued.secret.revealed, issued.token.id)
    }

    /// Runs `body` in a transaction on a connection of its own.
    func inTransaction<T: Sendable>(_ body: @escaping @Sendable (isolated PostgresConnection) throws -> T) async throws -> T {
        try await PostgresConnection.withConnection(configuration: .init(url: databaseURL)) { connection in
            try await connection.withTransaction(body)
        }
    }

    /// Audit entries, oldest first.
    func auditLog() async throws -> [AuditEntry] {
        try await inTransaction { try AuditLog.list(.init(scope: .allOrganizations), limit: 1000, on: $0) }.entries.reversed()
    }

    /// Dead letters of `org` (`DeadLetterSeed`, its pipeline with a second stage `later`), one per name; returns
    /// their action ids by name.
    func deadLetters(_ names: [String], org: String) async throws -> [String: Int] {
        try await DeadLetterSeed.kill(
            Dictionary(uniqueKeysWithValues: names.map { ($0, "550 no such user") }), org: org, url: databaseURL,
            pipeline: DeadLetterSeed.twoStages)
    }
}

extension AdminConfiguration {
    /// The defaults, and keys to verify one-click unsubscribe tokens with (``AdminHarness/unsubscribeKeys``).
    static var testing: AdminConfiguration {
        var configuration = AdminConfiguration()
        configuration.unsubscribeKeys = AdminHarness.unsubscribeKeys
        return configuration
    }
}
