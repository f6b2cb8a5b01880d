import LeadflowConfig
import LeadflowHandlers

extension HandlerSettings {
    /// The handler service these settings describe, pulling dispatches from `actionEndpoints` and pushing results
    /// to `resultEndpoints`.
    func serviceConfiguration(actionEndpoints: [String], resultEndpoints: [String]) -> HandlerService.Configuration {
        var configuration = HandlerService.Configuration(
            actionType: type, actionEndpoints: actionEndpoints.map { .connect($0) },
            resultEndpoints: resultEndpoints.map { .connect($0) })
        configuration.maxInFlight = maxInFlight
        configuration.breaker = breaker
        return configuration
    }
}
