import Synchronization

/// What a bus endpoint received, rejected (by stable reason) and dropped: the figures a component reports.
public struct BusStatistics: Sendable, Equatable {
    public var accepted = 0
    /// Rejected inbound messages by ``EnvelopeError/reason``.
    public var rejected: [String: Int] = [:]
    /// Messages a SUB socket's byte prefix let through that no subscription's tokens matched.
    public var unmatched = 0
    /// Outbound messages dropped because the outbox was full (PUB only; PUSH waits instead).
    public var dropped = 0

    public var rejectedTotal: Int { rejected.values.reduce(0, +) }
}

/// Shared, lock-protected ``BusStatistics``.
final class BusCounters: Sendable {
    private let state = Mutex(BusStatistics())

    func update(_ body: (inout BusStatistics) -> Void) { state.withLock { body(&$0) } }
    var snapshot: BusStatistics { state.withLock { $0 } }
}
