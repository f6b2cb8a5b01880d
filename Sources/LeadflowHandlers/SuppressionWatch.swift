import LeadflowDomain
import LeadflowProto
import Synchronization

/// The opt-outs this handler has heard of from ingest's `lead.unsubscribed` / `lead.resubscribed` events, so that
/// a dispatch the scheduler leased just before an unsubscribe committed is handed back instead of delivered
/// (docs/engine.md, "Opt-outs"). The database stays the judge: a handed-back action that the unsubscribe
/// canceled stays canceled, and one it did not (an older opt-out, a resubscribe heard late) is claimed again and
/// checked there. An opt-out is remembered for `retention` — the lease: a dispatch older than that is the
/// scheduler's again anyway.
final class SuppressionWatch: Sendable {
    /// The channels a lead opted out of (`CHANNEL_UNSPECIFIED`: all of them), and when it was heard.
    struct Entry {
        var channels: Set<Leadflow_V1_Channel>
        var heard: ContinuousClock.Instant
    }

    let retention: Duration
    private let entries = Mutex<[Int64: Entry]>([:])

    init(retention: Duration) {
        self.retention = retention
    }

    /// Takes in an event; kinds other than unsubscribed and resubscribed change nothing.
    func hear(_ event: Leadflow_V1_LeadEvent, now: ContinuousClock.Instant = .now) {
        entries.withLock { entries in
            switch event.kind {
            case .unsubscribed:
                entries[event.leadID, default: Entry(channels: [], heard: now)].channels.insert(event.channel)
                entries[event.leadID]?.heard = now
            case .resubscribed:
                // Only an all-channel resubscribe lifts an all-channel opt-out, as in the database.
                if event.channel == .unspecified {
                    entries[event.leadID] = nil
                } else {
                    entries[event.leadID]?.channels.remove(event.channel)
                }
            default:
                return
            }
            if entries.count > 100_000 {
                entries = entries.filter { now - $0.value.heard < retention }
            }
        }
    }

    /// Whether a `type` action for `lead` must not go out: the lead opted out of its channel, or of everything,
    /// within the retention. Webhooks belong to no channel; only an all-channel opt-out holds them back.
    func holds(lead: Int64, type: ActionType, now: ContinuousClock.Instant = .now) -> Bool {
        entries.withLock { entries in
            guard let entry = entries[lead], !entry.channels.isEmpty else { return false }
            guard now - entry.heard < retention else {
                entries[lead] = nil
                return false
            }
            if entry.channels.contains(.unspecified) { return true }
            switch type {
            case .email: return entry.channels.contains(.email)
            case .sms: return entry.channels.contains(.sms)
            default: return false
            }
        }
    }
}
