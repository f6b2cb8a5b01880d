import LeadflowBus
import LeadflowProto

extension HandlerService {
    /// Feeds ingest's opt-out events to the watch until the subscriber closes; an event that does not decode is
    /// skipped (the claim's check still holds).
    func hearOptOuts() async {
        guard let (watch, subscriber) = suppressions else { return }
        while let envelope = await subscriber.next() {
            guard let event = try? envelope.decode(Leadflow_V1_LeadEvent.self) else { continue }
            watch.hear(event)
        }
    }
}
