import Foundation
import LeadflowDomain
import LeadflowProto
import Synchronization

/// Keeps the leases of long deliveries, as JetStream's `+WPI` does: once a delivery has used half of the time its
/// dispatch's `deadline` left it, the keeper reports it IN_PROGRESS (the scheduler then extends the lease by its
/// length), and again every half lease while it still runs. One timer, armed for the earliest extension due,
/// serves every delivery in flight, so a delivery costs no task or timer of its own.
final class LeaseKeeper: Sendable {
    typealias Instant = ContinuousClock.Instant

    /// One delivery's lease, as far as the keeper tracks it.
    struct Lease: Sendable {
        var actionID: Int64
        var attempt: UInt32
        /// The dispatch's organization, which its IN_PROGRESS reports name.
        var org: String
        /// The delivery's trace, which its IN_PROGRESS reports carry.
        var trace: TraceParent?
        var started: Instant
        /// When to report it in progress next.
        var due: Instant
        /// The lease's length: the extension each report asks for, and twice the time between reports.
        var length: Duration
    }

    private struct State: ~Copyable {
        var leases: [Int: Lease] = [:]
        var nextToken = 0
        var closed = false
        /// When the earliest running timer fires; nil when none runs.
        var timerDue: Instant?
        var timer: Task<Void, Never>?
    }

    /// Reports between which a lease of a few milliseconds (a dispatch no scheduler would send) still leaves room.
    static let minimumInterval = Duration.milliseconds(100)

    private let state = Mutex(State())
    /// Pushes the IN_PROGRESS result of a lease. Called with the keeper's lock held, which is what keeps it from
    /// racing with `end`: no progress report of a delivery follows its final result.
    private let report: @Sendable (Lease) -> Void

    init(report: @escaping @Sendable (Lease) -> Void) {
        self.report = report
    }

    /// The lease of `dispatch`, taken at `now` (the handler's wall clock `date`), or nil when it has no deadline
    /// to keep.
    static func lease(
        for dispatch: Leadflow_V1_ActionDispatch, attempt: UInt32, trace: TraceParent?, now: Instant, date: Date
    ) -> Lease? {
        guard dispatch.hasDeadline else { return nil }
        let deadline = dispatch.deadline.date
        let remaining = Duration.seconds(deadline.timeIntervalSince(date))
        // The scheduler's lease length is the deadline less the dispatch time; without that, what is left now.
        let length =
            dispatch.hasDispatchedAt && dispatch.dispatchedAt.date < deadline
            ? Duration.seconds(deadline.timeIntervalSince(dispatch.dispatchedAt.date)) : remaining
        guard length > .zero else { return nil }
        return Lease(
            actionID: dispatch.actionID, attempt: attempt, org: dispatch.org, trace: trace, started: now,
            due: now + max(remaining, .zero) / 2, length: length)
    }

    /// Starts keeping `lease`; returns the token to end it with, or nil once the keeper is closed.
    func begin(_ lease: Lease) -> Int? {
        let (token, timer) = state.withLock { state -> (Int?, Instant?) in
            guard !state.closed else { return (nil, nil) }
            state.nextToken += 1
            state.leases[state.nextToken] = lease
            return (state.nextToken, Self.arm(&state, for: lease.due))
        }
        if let timer { start(timer) }
        return token
    }

    /// Stops keeping a lease: its delivery is over.
    func end(_ token: Int) {
        state.withLock { _ = $0.leases.removeValue(forKey: token) }
    }

    /// Stops the timer; nothing is reported after this.
    func close() {
        let timer = state.withLock { state in
            state.closed = true
            state.leases = [:]
            return state.timer
        }
        timer?.cancel()
    }

    /// Records a timer for `due` and returns it to start, unless one already fires no later.
    private static func arm(_ state: inout State, for due: Instant) -> Instant? {
        if let armed = state.timerDue, armed <= due { return nil }
        state.timerDue = due
        return due
    }

    private func start(_ due: Instant) {
        let task = Task { [weak self] in
            try? await Task.sleep(until: due, clock: .continuous)
            guard !Task.isCancelled else { return }
            self?.fire(timer: due)
        }
        state.withLock { state in
            if state.timerDue == due { state.timer = task }
        }
    }

    /// Reports every lease that is due and schedules its next report; arms the timer for the earliest left.
    private func fire(timer: Instant) {
        let now = ContinuousClock.now
        let next = state.withLock { state -> Instant? in
            if state.timerDue == timer { state.timerDue = nil }
            guard !state.closed else { return nil }
            var earliest: Instant?
            for token in state.leases.keys {
                guard var lease = state.leases[token] else { continue }
                if lease.due <= now {
                    report(lease)
                    lease.due = now + max(lease.length / 2, Self.minimumInterval)
                    state.leases[token] = lease
                }
                if earliest.map({ lease.due < $0 }) ?? true { earliest = lease.due }
            }
            return earliest.flatMap { Self.arm(&state, for: $0) }
        }
        if let next { start(next) }
    }
}
