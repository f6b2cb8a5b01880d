import LeadflowDomain

/// How many actions one claim takes from each queue — the fairness and throttling rules, apart from SQL.
///
/// - The batch is `limit` while one organization has due work and `sharedLimit` while several do, decided
///   here from the queues due now (not from an earlier claim), so the first claim after a second tenant's
///   work falls due is already a short one.
/// - Every organization with due work gets an equal share of the batch, `ceil(batch / organizations)`, per
///   queue; the claim then takes the organizations' actions in turns (each one's oldest first), so one
///   tenant's backlog cannot push another's due actions behind it.
/// - An external queue also stays within its channel's limits: no more than `maxInFlight` dispatched and
///   unanswered, no more than the token bucket holds.
/// - Queues of saturated types, paused queues (``OrganizationPauses``), and external queues another scheduler is
///   claiming from right now, get nothing. A paused queue sets no wake time: resuming wakes the schedulers.
struct ClaimPlan: Sendable, Equatable {
    struct Allowance: Sendable, Hashable {
        var key: QueueKey
        var count: Int
        /// The share capped it (not a limit): the queue may hold more due work.
        var isShare: Bool
    }

    /// Queues to take from, in key order.
    var allowances: [Allowance] = []
    /// Seconds until a queue that got nothing — not due yet, or out of tokens — can be claimed from; `nil`
    /// when none waits on time (a queue at its in-flight limit waits for results instead).
    var wakeIn: Double?
    /// Queues held back by a limit, for logs and metrics.
    var throttled: [QueueKey] = []
    /// Organizations with due work (of types not excluded).
    var organizations = 0
    /// Most actions this claim takes: `limit`, or `sharedLimit` when several organizations have due work.
    var batch: Int

    init(
        heads: [ClaimQueues.Head], excluding excluded: Set<ActionType>, locked: Set<QueueKey>,
        states: [ClaimQueues.ChannelState], defaults: ChannelLimits, limit: Int, sharedLimit: Int? = nil
    ) {
        batch = limit
        var wakeIn: Double?
        func wake(_ seconds: Double) { wakeIn = min(wakeIn ?? seconds, max(seconds, 0)) }
        let due = heads.filter { head in
            guard !head.isPaused else { return false }
            if head.dueIn > 0 { wake(head.dueIn) }
            return head.dueIn <= 0 && !excluded.contains(head.key.type)
        }
        let organizations = Set(due.map(\.key.org)).count
        self.organizations = organizations
        guard organizations > 0 else {
            self.wakeIn = wakeIn
            return
        }
        if organizations > 1, let sharedLimit { batch = min(sharedLimit, limit) }
        let share = (batch + organizations - 1) / organizations
        let statesByKey = Dictionary(states.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for head in due.sorted(by: { $0.key < $1.key }) {
            guard head.key.type.isExternal else {
                allowances.append(Allowance(key: head.key, count: share, isShare: true))
                continue
            }
            guard locked.contains(head.key), let state = statesByKey[head.key] else { continue }
            let budget = ChannelBudget(state, defaults: defaults)
            let count = min(share, budget.room, budget.affordable)
            if count < share { throttled.append(head.key) }
            if budget.room > 0, let nextToken = budget.nextTokenIn { wake(nextToken) }
            if count > 0 { allowances.append(Allowance(key: head.key, count: count, isShare: count == share)) }
        }
        self.wakeIn = wakeIn
    }
}
