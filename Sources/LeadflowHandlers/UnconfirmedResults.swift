import LeadflowBus
import Synchronization

/// Final results pushed to the scheduler and not yet acknowledged by a receipt (`receipt.<type>`): each is kept
/// until one names its action and attempt, and is due to be pushed again when none comes — after
/// `firstResend`, then twice as long each time up to `maxResend` — so a result lost with a crashed scheduler (on
/// the wire, in its queue, in a transaction that never committed) reaches the next one. After `retention` (the
/// lease: by then the scheduler has given the action to another attempt) a result is given up.
final class UnconfirmedResults: Sendable {
    typealias Instant = ContinuousClock.Instant

    /// A result's identity, as receipts name it.
    struct Key: Hashable, Sendable {
        var actionID: Int64
        var attempt: UInt32
    }

    private struct Entry {
        var envelope: Envelope
        var due: Instant
        var interval: Duration
        var givesUpAt: Instant
    }

    private struct State: ~Copyable {
        var entries: [Key: Entry] = [:]
        var emptyWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let firstResend: Duration
    let maxResend: Duration
    let retention: Duration
    private let state = Mutex(State())

    init(firstResend: Duration = .seconds(5), maxResend: Duration = .seconds(60), retention: Duration) {
        self.firstResend = firstResend
        self.maxResend = maxResend
        self.retention = retention
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// Keeps `envelope`, just pushed, until a receipt names `key`.
    func track(_ key: Key, _ envelope: Envelope, now: Instant = .now) {
        state.withLock { state in
            state.entries[key] = Entry(
                envelope: envelope, due: now + firstResend, interval: firstResend, givesUpAt: now + retention)
        }
    }

    /// Forgets the results `keys` name; returns how many it held.
    @discardableResult
    func confirm(_ keys: some Sequence<Key>) -> Int {
        let (removed, waiters) = state.withLock { state -> (Int, [CheckedContinuation<Void, Never>]) in
            var removed = 0
            for key in keys where state.entries.removeValue(forKey: key) != nil { removed += 1 }
            guard state.entries.isEmpty else { return (removed, []) }
            defer { state.emptyWaiters.removeAll() }
            return (removed, state.emptyWaiters)
        }
        for waiter in waiters { waiter.resume() }
        return removed
    }

    /// The results due to be pushed again at `now` (each then waits twice as long for its receipt), and how many
    /// were given up because their retention ended.
    func due(now: Instant = .now) -> (resend: [Envelope], givenUp: Int) {
        let (resend, givenUp, waiters) = state.withLock {
            state -> ([Envelope], Int, [CheckedContinuation<Void, Never>]) in
            var resend: [Envelope] = []
            var givenUp: [Key] = []
            for (key, entry) in state.entries where entry.due <= now {
                if entry.givesUpAt <= now {
                    givenUp.append(key)
                    continue
                }
                resend.append(entry.envelope)
                let interval = min(entry.interval * 2, maxResend)
                state.entries[key]?.interval = interval
                state.entries[key]?.due = now + interval
            }
            for key in givenUp { state.entries.removeValue(forKey: key) }
            guard !givenUp.isEmpty, state.entries.isEmpty else { return (resend, givenUp.count, []) }
            defer { state.emptyWaiters.removeAll() }
            return (resend, givenUp.count, state.emptyWaiters)
        }
        for waiter in waiters { waiter.resume() }
        return (resend, givenUp)
    }

    /// Removes and returns every result still kept, for the spool.
    func takeAll() -> [Envelope] {
        let (taken, waiters) = state.withLock { state -> ([Envelope], [CheckedContinuation<Void, Never>]) in
            defer {
                state.entries.removeAll()
                state.emptyWaiters.removeAll()
            }
            return (state.entries.values.map(\.envelope), state.emptyWaiters)
        }
        for waiter in waiters { waiter.resume() }
        return taken
    }

    /// Returns once no result is kept, or after `timeout`, whichever comes first.
    func waitUntilEmpty(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.emptied() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func emptied() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if state.entries.isEmpty || Task.isCancelled { return true }
                    state.emptyWaiters.append(waiter)
                    return false
                }
                if ready { waiter.resume() }
            }
        } onCancel: {
            // One waiter at a time (the shutdown's), so releasing them all releases the cancelled one.
            let waiters = state.withLock { state in
                defer { state.emptyWaiters.removeAll() }
                return state.emptyWaiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }
}
