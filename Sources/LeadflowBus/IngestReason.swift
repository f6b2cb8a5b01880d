/// The stable `-ERR` reasons ingest answers with (docs/protocol.md §4); clients match them exactly.
///
/// They live on the bus, beside ``Ack``, because both sides of an acknowledged request speak them: ingest
/// answers with them, and envelope validation (``EnvelopeError/reason``) and clients (`LeadflowClient`) read
/// them.
public enum IngestReason: String, Sendable, CaseIterable, Error {
    case malformedMessage = "Malformed Message"
    case invalidSubject = "Invalid Subject"
    case unknownSubject = "Unknown Subject"
    case malformedHeaders = "Malformed Headers"
    case missingMsgID = "Missing Msg-Id"
    case payloadTooLarge = "Payload Too Large"
    case unsupportedContentType = "Unsupported Content-Type"
    case invalidPayload = "Invalid Payload"
    case unknownPipeline = "Unknown Pipeline"
    case unknownOrganization = "Unknown Organization"
    /// The client's CURVE key is not bound to the subject's organization (docs/security.md).
    case notAuthorized = "Not Authorized"
}
