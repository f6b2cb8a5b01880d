/// The metadata keys of handler log lines, declared once (dotted, as across Leadflow).
enum HandlerLogKey {
    static let actionID = "action.id"
    static let actionType = "action.type"
    static let attempt = "action.attempt"
    static let outcome = "action.outcome"
    static let orgID = "org.id"
    static let leadID = "lead.id"
    static let errorClass = "error.class"
    static let error = "error"
    static let reason = "reason"
    static let handlerID = "handler.id"
    static let breakerEndpoint = "breaker.endpoint"
    static let retryAfter = "retry_after"
}
