import Foundation
import LeadflowDomain
import LeadflowProto
import SwiftProtobuf

/// The lead events a store operation produced: written to the lead history in the operation's transaction
/// (``LeadHistory/write(_:on:)``) and handed to the service to publish after it commits. Builds nothing when
/// neither will happen.
public struct LeadEventLog: Sendable {
    /// What the history keeps of an event beyond the published fields.
    struct Detail: Sendable, Hashable {
        /// The history's kind when it tells apart what the event does not (`action_snoozed`).
        var kind: String?
        /// The history's reason when it says more than the event's (an operator's note).
        var reason: String?
        var providerMessageID: String?
        var durationMilliseconds: Double?
        /// When a retried or snoozed action is due again.
        var dueAt: Date?
    }

    public let isRecording: Bool
    /// Whether ``LeadHistory/write(_:on:)`` writes these events.
    public let keepsHistory: Bool
    /// Who made these events happen, for operators' acts (`nil`: the engine).
    public var actor: String?
    public private(set) var events: [Leadflow_V1_LeadEvent] = []
    /// Parallel to `events`.
    private(set) var details: [Detail] = []
    /// The trace of the work each lead's events are about, by lead id: published as their `Traceparent`. Kept
    /// by ``take()``; the first trace associated with a lead wins.
    public private(set) var traces: [Int: TraceParent] = [:]
    private let now = Google_Protobuf_Timestamp(date: Date())

    /// Records events to publish (`recording`), to keep in the lead history (`history`), or both.
    public init(recording: Bool, history: Bool = false, actor: String? = nil) {
        isRecording = recording || history
        keepsHistory = history
        self.actor = actor
    }

    /// Appends an event of `kind` about one lead; `fill` sets the kind-specific fields.
    mutating func record(
        _ kind: Leadflow_V1_LeadEvent.Kind, org: String, leadID: Int, externalID: String,
        _ fill: (inout Leadflow_V1_LeadEvent) -> Void = { _ in }
    ) {
        guard isRecording else { return }
        var event = Leadflow_V1_LeadEvent()
        event.kind = kind
        event.org = org
        event.leadID = Int64(leadID)
        event.externalID = externalID
        event.occurredAt = now
        fill(&event)
        events.append(event)
        details.append(Detail())
    }

    /// Sets what the history keeps beyond the event on the last recorded event.
    mutating func detailLast(_ change: (inout Detail) -> Void) {
        guard !details.isEmpty else { return }
        change(&details[details.count - 1])
    }

    /// Adds what handlers reported — provider message id, duration, snoozes — to the events recorded about
    /// the actions of `outcomes`.
    mutating func annotate(_ outcomes: [ActionOutcome]) {
        guard keepsHistory, !outcomes.isEmpty else { return }
        struct Attempt: Hashable {
            var actionID: Int
            var attempt: Int
        }
        let byAttempt = Dictionary(
            outcomes.map { (Attempt(actionID: $0.actionID, attempt: $0.attempt), $0) }, uniquingKeysWith: { _, last in last })
        for index in events.indices {
            let event = events[index]
            guard event.actionID != 0,
                let outcome = byAttempt[Attempt(actionID: Int(event.actionID), attempt: Int(event.attempt))]
            else { continue }
            switch event.kind {
            case .actionSucceeded, .actionRetrying, .actionDead:
                details[index].providerMessageID = outcome.providerMessageID
                details[index].durationMilliseconds = outcome.duration.map { $0.seconds * 1_000 }
                if event.kind == .actionRetrying, case .snoozed = outcome.kind { details[index].kind = "action_snoozed" }
            default: continue
            }
        }
    }

    /// Associates the events about `leadID` with `trace` (a no-op when not recording, or for `nil`).
    public mutating func associate(_ trace: TraceParent?, lead leadID: Int) {
        guard isRecording, let trace, traces[leadID] == nil else { return }
        traces[leadID] = trace
    }

    /// Hands the recorded events over and starts empty.
    public mutating func take() -> [Leadflow_V1_LeadEvent] {
        defer {
            events = []
            details = []
        }
        return events
    }
}
