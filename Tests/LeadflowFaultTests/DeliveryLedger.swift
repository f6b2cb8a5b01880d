/// What a provider received, judged against the actions the database dispatched: which keys never arrived,
/// which arrived without being an action's key, and how often a key arrived more than once.
struct DeliveryLedger: Sendable, CustomStringConvertible {
    /// Deliveries per `Idempotency-Key`.
    let deliveries: [String: Int]
    /// Attempts dispatched per action key, from `lead_stage_actions`.
    let attempts: [String: Int]

    init(deliveredKeys: [String], attempts: [String: Int]) {
        var deliveries: [String: Int] = [:]
        for key in deliveredKeys { deliveries[key, default: 0] += 1 }
        self.deliveries = deliveries
        self.attempts = attempts
    }

    /// Action keys the provider never saw.
    var missing: Set<String> { Set(attempts.keys).subtracting(deliveries.keys) }

    /// Keys the provider saw that are no action's key.
    var unknown: Set<String> { Set(deliveries.keys).subtracting(attempts.keys) }

    /// Deliveries beyond the first of each key.
    var duplicates: Int { deliveries.values.reduce(0) { $0 + max(0, $1 - 1) } }

    /// Keys delivered more often than they were dispatched: one dispatch delivered twice.
    var overDelivered: [String] {
        deliveries.filter { key, count in count > (attempts[key] ?? 0) }.map(\.key).sorted()
    }

    /// Actions dispatched more than once (a lost attempt was dispatched again).
    var redispatched: Int { attempts.values.filter { $0 > 1 }.count }

    var total: Int { deliveries.values.reduce(0, +) }

    var description: String {
        "\(total) deliveries of \(deliveries.count) keys for \(attempts.count) actions: \(missing.count) missing, "
            + "\(unknown.count) unknown, \(duplicates) duplicates, \(redispatched) actions dispatched again, "
            + "\(overDelivered.count) delivered more often than dispatched"
    }
}
