import Foundation
import Hummingbird
import LeadflowAdminAPI
import LeadflowDomain
import LeadflowStore
import Logging
import NIOCore
import OpenAPIRuntime
import Postgres
import ServiceLifecycle

/// `leadflow admin`: the admin HTTP API (openapi/admin.yaml, docs/admin-api.md) as a service. ``run()`` serves
/// until graceful shutdown (SIGTERM in a `ServiceGroup`) or cancellation: the listener closes, requests in
/// progress finish, then it returns.
public final class AdminService: Service, Sendable {
    public let configuration: AdminConfiguration
    private let application: Application<RouterResponder<AdminRequestContext>>
    private let listening = ListeningPort()

    /// Builds the router over `database` (the caller's pool, which it shuts down after ``run()``); nothing
    /// listens before ``run()``.
    public init(configuration: AdminConfiguration, database: PostgresClient, logger: Logger) throws {
        let problems = configuration.problems()
        guard problems.isEmpty, let address = HTTPAddress(configuration.listen) else {
            throw AdminConfigurationError(problems: problems)
        }
        self.configuration = configuration
        let router = Router(context: AdminRequestContext.self)
        let routes = RouteTable()
        router.add(middleware: RequestLimitsMiddleware(maxBodyBytes: configuration.maxBodyBytes, routes: routes))
        let tokens = TokenAuthenticator(
            database: database,
            limiter: BadTokenLimiter(limit: configuration.badTokenLimit, window: configuration.badTokenWindow),
            logger: logger)
        let api = AdminAPI(
            database: database, migrator: Migrator(), logger: logger,
            oneClick: OneClickUnsubscribe(configuration: configuration, logger: logger),
            tenantDefaults: configuration.tenantDefaults, defaultMaxAttempts: configuration.defaultMaxAttempts)
        try api.registerHandlers(
            on: RouteRecorder(router: router, table: routes),
            configuration: .init(dateTranscoder: RFC3339DateTranscoder(), jsonEncodingOptions: [.sortedKeys]),
            middlewares: [
                PublicLinkMiddleware(),
                AccessMiddleware(tokens: tokens, logger: logger),
                ProblemMiddleware(logger: logger),
                NullFieldMiddleware(maxBodyBytes: configuration.maxBodyBytes),
            ])
        // The web console (docs/console.md): pages over the same handlers, roles and tokens.
        Console(api: api, tokens: tokens, database: database, logger: logger).register(on: router)
        let listening = self.listening
        application = Application(
            router: router,
            configuration: .init(address: .hostname(address.host, port: Int(address.port)), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? Int(address.port)
                listening.announce(port)
                logger.info("admin API listening", metadata: ["http.address": "\(address.host):\(port)"])
            },
            logger: logger)
    }

    public func run() async throws {
        let result: Result<Void, any Error>
        do {
            try await application.run()
            result = .success(())
        } catch {
            result = .failure(listening.hasListened ? error : CannotListen(address: configuration.listen, cause: "\(error)"))
        }
        listening.stopped()
        try result.get()
    }

    /// The listener could not be opened (the address is taken, or not this machine's).
    public struct CannotListen: Error, CustomStringConvertible {
        public let address: String
        public let cause: String
        public var description: String { "admin.listen \(address): cannot listen (\(cause))" }
    }

    /// The port the listener is bound to (the kernel's choice for port 0), once it listens.
    public func port() async throws -> Int { try await listening.value() }
}
