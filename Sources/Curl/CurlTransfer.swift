/// The state of one transfer that libcurl's C callbacks write into: the response being assembled and its limits.
///
/// It is a class so a single stable pointer to it can be handed to libcurl as callback user data; it lives exactly
/// as long as the transfer and is touched only by the thread that drives the handle.
final class CurlTransfer {
    /// Why a callback stopped the transfer, which libcurl reports only as a generic write/abort error.
    enum Stop: Equatable {
        case bodyTooLarge
        case headersTooLarge
        case aborted
    }

    // libcurl caps each header line at 100 KiB but not their number; this bounds the whole header block.
    static let maxHeaderBytes = 256 << 10

    let maxBodySize: Int
    let shouldAbort: (() -> Bool)?
    private(set) var headers = HTTPHeaders()
    private(set) var body: [UInt8] = []
    private(set) var stop: Stop?
    private var headerBytes = 0

    init(maxBodySize: Int, shouldAbort: (() -> Bool)?) {
        self.maxBodySize = maxBodySize
        self.shouldAbort = shouldAbort
    }

    /// Takes the assembled body without copying it.
    func takeBody() -> [UInt8] {
        defer { body = [] }
        return body
    }

    /// Accepts a chunk of body; false asks libcurl to abandon the transfer.
    func receiveBody(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard chunk.count <= maxBodySize - body.count else {
            stop = .bodyTooLarge
            return false
        }
        body.append(contentsOf: chunk)
        return true
    }

    /// Accepts one raw header line (status line, field, continuation or the blank end line); false aborts.
    func receiveHeaderLine(_ line: UnsafeRawBufferPointer) -> Bool {
        headerBytes += line.count
        guard headerBytes <= Self.maxHeaderBytes else {
            stop = .headersTooLarge
            return false
        }
        // Header bytes are meant to be ASCII; lossy decoding keeps a hostile byte from failing the transfer.
        let text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix("HTTP/") {
            // Each status line starts a new response (100 Continue, a followed redirect): keep only the last.
            headers.removeAll()
            headerBytes = line.count
        } else if let first = text.first, first == " " || first == "\t" {
            // obs-fold (RFC 9112 §5.2): a continuation of the previous field's value.
            headers.appendToLastValue(Self.trimmed(Substring(text)))
        } else if let colon = text.firstIndex(of: ":") {
            headers.add(Self.trimmed(text[..<colon]), Self.trimmed(text[text.index(after: colon)...]))
        }
        return true
    }

    /// Polled by libcurl while the transfer runs; true aborts it (the caller has gone away).
    func checkAbort() -> Bool {
        guard let shouldAbort, shouldAbort() else { return false }
        stop = .aborted
        return true
    }

    private static func trimmed(_ text: Substring) -> String {
        // "\r\n" is one Character, which isNewline covers.
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0.isNewline }
        guard let start = text.firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = text.lastIndex(where: { !isSpace($0) })!
        return String(text[start...end])
    }
}
