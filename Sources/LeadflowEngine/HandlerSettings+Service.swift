import LeadflowConfig
import LeadflowHandlers

extension HandlerSettings {
    /// The handler service these settings describe, pulling from `dispatchEndpoints` and pushing to
    /// `resultEndpoints` (both connected), draining for at most `shutdownTimeout` when stopped.
    func serviceConfiguration(
        dispatchEndpoints: [String], resultEndpoints: [String], eventEndpoints: [String], shutdownTimeout: Duration,
        lease: Duration
    ) -> HandlerService.Configuration {
        var configuration = HandlerService.Configuration(
            actionType: type, actionEndpoints: dispatchEndpoints.map { .connect($0) },
            resultEndpoints: resultEndpoints.map { .connect($0) })
        configuration.maxInFlight = maxInFlight
        configuration.drainTimeout = shutdownTimeout
        configuration.breaker = breaker
        configuration.suppressionEndpoints = eventEndpoints.map { .connect($0) }
        configuration.suppressionRetention = lease
        configuration.receiptEndpoints = receiptEndpoints.map { .connect($0) }
        configuration.resultRetention = lease
        configuration.spoolDirectory = spoolDirectory.isEmpty ? nil : spoolDirectory
        return configuration
    }
}
