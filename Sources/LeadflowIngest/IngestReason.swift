/// The stable `-ERR` reasons ingest answers with (docs/protocol.md §4); clients match them exactly.
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
}
