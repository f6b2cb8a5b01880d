import LeadflowDomain
import LeadflowProto
import LeadflowStore

extension ActionOutcome {
    /// What the work queue applies for a handler's result; the retry policy sets the delay of a retry
    /// (at least the provider's `Retry-After`, when the result carries one).
    init(_ result: Leadflow_V1_ActionResult, retry: RetryPolicy) {
        let attempt = Int(result.attempt)
        let retryAfter: Duration? =
            result.hasRetryAfter
            ? .seconds(result.retryAfter.seconds) + .nanoseconds(Int64(result.retryAfter.nanos)) : nil
        let kind: Kind =
            switch result.outcome {
            case .succeeded: .succeeded
            case .retry: .retry(delay: retry.delay(afterAttempt: attempt, retryAfter: retryAfter))
            case .failedPermanently: .failedPermanently
            case .inProgress: .inProgress
            case .snoozed: .snoozed(delay: retryAfter ?? retry.base)
            case .unspecified, .UNRECOGNIZED:
                .retry(delay: retry.delay(afterAttempt: attempt, retryAfter: retryAfter))
            }
        var error = result.error.isEmpty ? nil : result.error
        if case .unspecified = result.outcome { error = "handler sent a result without an outcome" }
        self.init(
            actionID: Int(result.actionID), attempt: attempt, kind: kind, error: error,
            providerMessageID: result.providerMessageID.isEmpty ? nil : result.providerMessageID,
            duration: result.hasDuration
                ? .seconds(result.duration.seconds) + .nanoseconds(Int64(result.duration.nanos)) : nil)
    }
}

extension ActionOutcome.Kind {
    /// The outcome's name in log lines, as the wire enum spells it.
    var logName: String {
        switch self {
        case .succeeded: "succeeded"
        case .retry: "retry"
        case .failedPermanently: "failed_permanently"
        case .inProgress: "in_progress"
        case .snoozed: "snoozed"
        }
    }
}
