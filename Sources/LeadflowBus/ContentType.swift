/// How a payload is encoded, from the `Content-Type` header (absent means protobuf).
public enum ContentType: String, Sendable, CaseIterable {
    case protobuf = "application/protobuf"
    case json = "application/json"

    /// The content type named by `headers`; `nil` when it names something the bus does not speak.
    public init?(headers: Headers) {
        guard headers.hasContentType, let value = headers[Headers.Name.contentType] else {
            self = .protobuf
            return
        }
        switch Self.mediaType(of: value) {
        case "application/protobuf", "application/x-protobuf", "application/vnd.google.protobuf": self = .protobuf
        case "application/json": self = .json
        default: return nil
        }
    }

    /// A `Content-Type` value's media type, lower-cased; parameters such as "; charset=utf-8" do not change the
    /// encoding.
    public static func mediaType(of value: String) -> String {
        value.split(separator: ";", maxSplits: 1).first.map(String.init)?.trimmingHeaderWhitespace().lowercased() ?? ""
    }
}
