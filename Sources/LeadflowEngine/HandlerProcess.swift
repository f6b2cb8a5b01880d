import Curl
import LeadflowConfig
import LeadflowDomain
import LeadflowHandlers
import LeadflowTelemetry
import Logging
import ServiceLifecycle
import ZeroMQ

/// A handler service as a ServiceLifecycle `Service`, for `leadflow handler <type>`: it connects to the
/// configured scheduler endpoints and drains its deliveries on graceful shutdown, for at most
/// `shutdownTimeout` (`service.shutdown_timeout`). `socketOptions` carry its CURVE client keys (`bus.*`).
public struct HandlerProcess: Service {
    let handler: HandlerService
    let curl: CurlMulti?
    let driver: any DeliveryDriver

    public init(
        settings: HandlerSettings, shutdownTimeout: Duration, context: ZMQContext, logger: Logger,
        telemetry: Telemetry = .disabled, socketOptions: SocketOptions = SocketOptions(), lease: Duration = .seconds(300)
    ) async throws {
        var configuration = settings.serviceConfiguration(
            dispatchEndpoints: settings.dispatchEndpoints, resultEndpoints: settings.resultEndpoints,
            eventEndpoints: settings.eventEndpoints, shutdownTimeout: shutdownTimeout, lease: lease)
        configuration.socketOptions = socketOptions
        let curl = settings.needsCurl ? CurlMulti(maxConcurrent: settings.maxInFlight) : nil
        let driver = try settings.makeDriver(curl: curl, logger: logger)
        self.curl = curl
        self.driver = driver
        self.handler = try await HandlerService.start(
            context: context, configuration: configuration, driver: driver, logger: logger, telemetry: telemetry)
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await handler.run()
        } onGracefulShutdown: {
            handler.shutdown()
        }
        await driver.shutdown()
        await curl?.shutdown()
    }
}
