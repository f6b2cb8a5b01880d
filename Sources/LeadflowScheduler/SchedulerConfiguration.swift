import LeadflowDomain

/// How a scheduler claims, dispatches and retries.
public struct SchedulerConfiguration: Sendable {
    /// Where handlers of each external type connect to take dispatches (PUSH, bound).
    public var dispatchEndpoints: [ActionType: String] = [
        .email: "tcp://127.0.0.1:4230", .sms: "tcp://127.0.0.1:4231", .webhook: "tcp://127.0.0.1:4232",
    ]
    /// Where handlers push results (PULL, bound).
    public var resultsEndpoint = "tcp://127.0.0.1:4239"
    /// Where the scheduler publishes lead events (PUB, bound); `nil`: not published.
    public var eventsEndpoint: String? = "tcp://127.0.0.1:4224"
    /// Where the scheduler publishes a receipt (`receipt.<type>`) for the final results each transaction
    /// applied (PUB, bound); handlers keep a result until its receipt comes. `nil` or empty: no receipts.
    public var receiptsEndpoint: String? = "tcp://127.0.0.1:4238"
    /// Most actions claimed in one transaction.
    public var claimBatch = 1_000
    /// Most actions claimed in one transaction while several organizations have due work: shorter claims,
    /// so each organization's next action waits less behind the others'.
    public var sharedClaimBatch = 200
    /// Most results applied in one transaction.
    public var resultBatch = 2_000
    /// Most results applied in one transaction while results of several organizations are in hand (they are
    /// applied in turns across organizations): a result transaction is how long one organization's next
    /// action waits behind the others' results.
    public var sharedResultBatch = 50
    /// Whether, while several organizations compete, each result transaction with successes (and each
    /// wake-up naming organizations) is followed at once by a claim of those organizations' due actions, so a
    /// tenant's next action does not wait for the claim loop's current claim of everyone's backlog
    /// (docs/tenants.md).
    public var followUpClaims = true
    /// PostgreSQL's `plan_cache_mode` for the scheduler's sessions: `force_custom_plan` plans each statement
    /// with the tables' current size, so a plan made while `lead_stage_actions` was small is never kept once an
    /// import has made it large (docs/postgres.md).
    public var planCacheMode = "force_custom_plan"
    /// Dispatches queued for one type's handlers beyond which that type is not claimed until they drain, so
    /// a type without (fast enough) handlers never holds the others back.
    public var dispatchQueueLimit = 20_000
    /// Dispatches libzmq queues at most for each connected handler (the dispatch sockets' send high-water
    /// mark). Beyond it they wait in the scheduler's own queue for whichever handler has room, rather than
    /// behind one busy handler; what is queued for a handler is lost (and waits for its lease) if that handler
    /// disconnects.
    public var dispatchHighWaterMark = 64
    /// Pipeline action configs kept in memory for building dispatches, the least recently used dropped first.
    /// A config never changes once written (a pipeline upsert writes new actions), so the cache is never stale;
    /// the bound keeps old pipeline versions' actions from piling up for the life of the process. A claim with
    /// more distinct actions than this still dispatches them all; it just loads some again next time.
    public var actionConfigCacheSize = 4_096
    /// Whether lead events are written to the lead history in the transaction that causes them.
    public var keepsHistory = true
    /// How long the lead history is kept: weekly partitions that ended longer ago than this are dropped.
    public var historyRetention: Duration = .seconds(90 * 86_400)
    /// How long a handler may hold an action before it is presumed lost.
    public var lease: Duration = .seconds(300)
    /// How long after its lease an action is still the handler's: not dispatched again, its result applied as
    /// usual. Covers results a handler pushes again after a scheduler restart (their receipt never came).
    public var leaseGrace: Duration = .seconds(10)
    public var defaultMaxAttempts = 5
    public var retry = RetryPolicy()
    /// Retry policies of types that differ from ``retry``.
    public var retryByType: [ActionType: RetryPolicy] = [:]
    /// The limits of every organization and channel that has none of its own (`leadflow org set-limits`).
    public var organizationLimits = ChannelLimits()
    /// The longest the scheduler sleeps with nothing due; wake-ups (NOTIFY, results) usually come first.
    public var idleInterval: Duration = .seconds(1)
    /// Whether to `LISTEN` for ingest's wake-ups (a dedicated connection).
    public var listen = true

    public init() {}

    /// PostgreSQL's values of `plan_cache_mode`.
    public static let planCacheModes = ["force_custom_plan", "auto", "force_generic_plan"]

    /// Server settings for the scheduler's database sessions (``planCacheMode``).
    public var sessionSettings: [String: String] { ["plan_cache_mode": planCacheMode] }

    /// The retry policy of `type`'s actions; ``retry`` when the type has none of its own or is unknown.
    public func retryPolicy(for type: ActionType?) -> RetryPolicy {
        type.flatMap { retryByType[$0] } ?? retry
    }

    /// Readable problems, empty when the configuration is usable.
    public func problems() -> [String] {
        var problems: [String] = []
        for type in ActionType.external where dispatchEndpoints[type] == nil {
            problems.append("no dispatch endpoint for \(type.rawValue) actions")
        }
        if !(1...50_000).contains(claimBatch) { problems.append("claim batch must be 1…50000 (got \(claimBatch))") }
        if !(1...50_000).contains(sharedClaimBatch) {
            problems.append("shared claim batch must be 1…50000 (got \(sharedClaimBatch))")
        }
        if !(1...50_000).contains(resultBatch) { problems.append("result batch must be 1…50000 (got \(resultBatch))") }
        if !(1...50_000).contains(sharedResultBatch) {
            problems.append("shared result batch must be 1…50000 (got \(sharedResultBatch))")
        }
        if dispatchQueueLimit < claimBatch {
            problems.append("dispatch queue limit (\(dispatchQueueLimit)) cannot be below the claim batch (\(claimBatch))")
        }
        if actionConfigCacheSize < 1 {
            problems.append("action config cache size must be at least 1 (got \(actionConfigCacheSize))")
        }
        if lease < .seconds(1) { problems.append("lease must be at least 1 s (got \(lease))") }
        if dispatchHighWaterMark < 1 { problems.append("dispatch high-water mark must be at least 1") }
        if historyRetention < .seconds(7 * 86_400) {
            problems.append("history.retention must be at least 7d, one weekly partition (got \(historyRetention))")
        }
        if leaseGrace < .zero { problems.append("lease grace cannot be negative (got \(leaseGrace))") }
        if defaultMaxAttempts < 1 { problems.append("default max attempts must be at least 1") }
        if idleInterval <= .zero { problems.append("idle interval must be positive") }
        if !Self.planCacheModes.contains(planCacheMode) {
            problems.append(
                "plan cache mode must be one of \(Self.planCacheModes.joined(separator: ", ")) (got \"\(planCacheMode)\")")
        }
        for (type, policy) in retryByType.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            problems += policy.problems().map { "\(type.rawValue): \($0)" }
        }
        return problems + retry.problems() + organizationLimits.problems().map { "organization limits: \($0)" }
    }
}
