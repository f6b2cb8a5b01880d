import LeadflowBus
import Logging
import ZeroMQ

/// The component names of the measurement vocabulary: the second token of `metrics.<component>.<operation>`.
public enum TelemetryComponent {
    public static let ingest = "ingest"
    public static let scheduler = "scheduler"
    public static let collector = "collector"

    /// `email_handler`, `sms_handler`, `webhook_handler`.
    public static func handler(_ actionType: String) -> String { "\(actionType)_handler" }
}

extension TelemetryPublisher {
    /// The process's publisher for `configuration`, connected; nil when telemetry is off (empty endpoint).
    public static func start(
        context: ZMQContext, configuration: TelemetryConfiguration, logger: Logger = BusDefaults.silentLogger
    ) async throws -> TelemetryPublisher? {
        guard configuration.isEnabled else { return nil }
        let problems = configuration.problems()
        guard problems.isEmpty else { throw TelemetryError(problems: problems) }
        var publisher = Configuration(endpoint: configuration.endpoint, queueCapacity: configuration.queueCapacity)
        publisher.curve = configuration.curve
        return try await start(context: context, configuration: publisher, logger: logger)
    }
}
