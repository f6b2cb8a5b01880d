import Foundation
import LeadflowDomain
import LeadflowProto
import SwiftProtobuf

/// The lead events a store operation produced, for the service to publish after its transaction commits;
/// builds nothing when nobody will publish them.
public struct LeadEventLog: Sendable {
    public let isRecording: Bool
    public private(set) var events: [Leadflow_V1_LeadEvent] = []
    /// The trace of the work each lead's events are about, by lead id: published as their `Traceparent`. Kept
    /// by ``take()``; the first trace associated with a lead wins.
    public private(set) var traces: [Int: TraceParent] = [:]
    private let now = Google_Protobuf_Timestamp(date: Date())

    public init(recording: Bool) { isRecording = recording }

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
    }

    /// Associates the events about `leadID` with `trace` (a no-op when not recording, or for `nil`).
    public mutating func associate(_ trace: TraceParent?, lead leadID: Int) {
        guard isRecording, let trace, traces[leadID] == nil else { return }
        traces[leadID] = trace
    }

    /// Hands the recorded events over and starts empty.
    public mutating func take() -> [Leadflow_V1_LeadEvent] {
        defer { events = [] }
        return events
    }
}
