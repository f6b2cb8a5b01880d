import Foundation
import LeadflowBus
import LeadflowDomain
import ZeroMQ

extension HandlerService {
    /// What a handler serves, where it pulls and pushes, and how much it takes on at once.
    public struct Configuration: Sendable {
        /// `email`, `sms` or `webhook`: the handler pulls `action.<type>` and pushes `result.<type>`.
        public var actionType: ActionType
        /// Where dispatches come from: usually `.connect` to each scheduler's `action.<type>` PUSH socket.
        public var actionEndpoints: [Endpoint]
        /// Where results go: usually `.connect` to each scheduler's result PULL socket.
        public var resultEndpoints: [Endpoint]
        /// Deliveries running at once; the handler pulls no more dispatches while this many are in flight.
        public var maxInFlight: Int = 256
        /// Results pushed in one hand-over to the socket at most.
        public var resultBatchSize: Int = 256
        /// How long a shutdown waits for deliveries in flight before cancelling them (their results then say
        /// `retry`, class `canceled`).
        public var drainTimeout: Duration = .seconds(30)
        /// How long a shutdown waits for queued results to leave the result socket.
        public var resultFlushTimeout: Duration = .seconds(5)
        /// Names this instance in every result (`ActionResult.handler_id`) and log line.
        public var handlerID: String
        /// Ingest's lead-event PUB endpoints (`ingest.events_endpoint`), connected to hear opt-outs as they
        /// commit: a dispatch for a lead that opted out of its channel since is handed back, not delivered
        /// (``SuppressionWatch``). Empty: only the scheduler's checks apply.
        public var suppressionEndpoints: [Endpoint] = []
        /// How long an opt-out heard there is remembered: the scheduler's lease, after which a dispatch is the
        /// scheduler's again anyway.
        public var suppressionRetention: Duration = .seconds(300)
        /// The schedulers' receipt PUB endpoints (`scheduler.receipts_endpoint`), connected to hear which results
        /// were applied: each final result is kept until a receipt names it and pushed again when none comes, and
        /// those still unacknowledged at shutdown go to ``spoolDirectory``. Empty: results are pushed once and
        /// not kept.
        public var receiptEndpoints: [Endpoint] = []
        /// How long a result waits for its receipt before it is pushed again; the wait doubles with each push, up
        /// to a minute.
        public var receiptTimeout: Duration = .seconds(5)
        /// How long an unacknowledged result is kept at most: the scheduler's lease, after which the action is
        /// dispatched again anyway.
        public var resultRetention: Duration = .seconds(300)
        /// Where unacknowledged results are written at shutdown, and read back (and pushed) at start by the next
        /// handler of the type; nil: nowhere.
        public var spoolDirectory: String?
        /// Dispatches read ahead from the socket beyond those in flight (the socket's receive high-water mark and
        /// its thread's buffer, each); nil: `maxInFlight`. What is read ahead is this handler's to start, and its
        /// lease runs meanwhile: a small read-ahead leaves the rest with the scheduler, for other handlers.
        public var readAhead: Int?
        /// Options of the sockets (high-water marks, heartbeats, CURVE); the dispatch socket's receive high-water
        /// mark is ``readAhead``'s.
        public var socketOptions = SocketOptions()
        /// The policy of the circuit breaker each provider endpoint gets (the driver names the endpoint of a
        /// dispatch); nil: no breakers, every dispatch is sent.
        public var breaker: CircuitBreakerPolicy? = CircuitBreakerPolicy()

        /// A configuration with defaults; `handlerID` defaults to `<type>@<host>:<pid>`.
        public init(actionType: ActionType, actionEndpoints: [Endpoint], resultEndpoints: [Endpoint]) {
            self.actionType = actionType
            self.actionEndpoints = actionEndpoints
            self.resultEndpoints = resultEndpoints
            handlerID = "\(actionType.rawValue)@\(ProcessInfo.processInfo.hostName):\(getpid())"
        }

        public func validate() throws(HandlerConfigurationError) {
            guard actionType.isExternal else {
                throw HandlerConfigurationError(
                    setting: "handler.action_type",
                    "\(actionType.rawValue) actions run in the scheduler; handlers serve "
                        + ActionType.external.map(\.rawValue).joined(separator: ", "))
            }
            guard !actionEndpoints.isEmpty else {
                throw HandlerConfigurationError(
                    setting: "handler.action_endpoints", "needs at least one endpoint to pull dispatches from")
            }
            guard !resultEndpoints.isEmpty else {
                throw HandlerConfigurationError(
                    setting: "handler.result_endpoints", "needs at least one endpoint to push results to")
            }
            guard maxInFlight >= 1 else {
                throw HandlerConfigurationError(setting: "handler.max_in_flight", "must be at least 1")
            }
            if let readAhead, readAhead < 1 {
                throw HandlerConfigurationError(setting: "handler.read_ahead", "must be at least 1")
            }
            guard receiptTimeout > .zero, resultRetention > .zero else {
                throw HandlerConfigurationError(
                    setting: receiptTimeout <= .zero ? "handler.receipt_timeout" : "handler.result_retention",
                    "must be positive")
            }
            guard resultBatchSize >= 1 else {
                throw HandlerConfigurationError(setting: "handler.result_batch_size", "must be at least 1")
            }
            guard drainTimeout >= .zero, resultFlushTimeout >= .zero else {
                throw HandlerConfigurationError(
                    setting: drainTimeout < .zero ? "handler.drain_timeout" : "handler.result_flush_timeout",
                    "cannot be negative")
            }
            guard !handlerID.isEmpty else {
                throw HandlerConfigurationError(setting: "handler.id", "cannot be empty")
            }
            if let problem = breaker?.problems().first {
                throw HandlerConfigurationError(setting: "handler.breaker.\(problem.key)", problem.message)
            }
        }

        /// `action.<type>`.
        var dispatchSubject: String { "action.\(actionType.rawValue)" }

        /// `result.<type>`.
        var resultSubject: String { "result.\(actionType.rawValue)" }

        /// `receipt.<type>`.
        var receiptSubject: String { "receipt.\(actionType.rawValue)" }

        /// Dispatches read ahead of those in flight.
        var effectiveReadAhead: Int { readAhead ?? maxInFlight }
    }
}
