import LeadflowBus
import LeadflowIngest

extension FuzzTarget {
    /// Three frames (encoded with ``FuzzFrames``) through the envelope and ingest's request decoder, as ingest's
    /// ROUTER does with every message a client sends.
    static let ingest = FuzzTarget(name: "ingest", summary: "Envelope(frames:) then IngestDecoder().decode") { input in
        let received = Result { () throws(EnvelopeError) in try Envelope(frames: FuzzFrames.split(input)) }
        switch IngestDecoder().decode(received) {
        case .success(let message): _ = message.command
        case .failure(let rejection): _ = "\(rejection)"
        }
    }
}
