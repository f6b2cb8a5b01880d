import LeadflowBus

/// The subjects ingest accepts, `<kind>.<verb>.<org>`, each for one message type (docs/protocol.md §3).
enum IngestSubject: String, Sendable, CaseIterable {
    case leadUpsert = "lead.upsert"
    case leadEnroll = "lead.enroll"
    case leadReply = "lead.reply"
    case leadUnsubscribe = "lead.unsubscribe"
    case leadResubscribe = "lead.resubscribe"
    case leadDelete = "lead.delete"
    case pipelineUpsert = "pipeline.upsert"

    /// The subject for `org`, which must be exactly one subject token; checked before anything is sent.
    func subject(org: String) throws(LeadflowClientError) -> Subject {
        let bytes = Array(org.utf8)
        func invalid(_ detail: String) -> LeadflowClientError {
            LeadflowClientError(code: .invalidOrganization, detail: "organization id \(detail)")
        }
        if bytes.isEmpty { throw invalid("is empty") }
        if let dot = bytes.firstIndex(of: UInt8(ascii: ".")) {
            throw invalid("must be one subject token, but has a '.' at byte \(dot)")
        }
        if let error = Subject.validate(bytes) { throw invalid("is not a valid subject token: \(error)") }
        do {
            return try Subject(rawValue + "." + org)
        } catch {
            throw invalid("makes an invalid subject: \(error)")  // only when the whole subject is over 255 bytes
        }
    }
}
