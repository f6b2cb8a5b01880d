/// The state of one transfer that libcurl's C callbacks write into (the response being assembled and its limits)
/// and read from (the upload).
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

    /// What the lines libcurl hands the header callback are.
    enum Lines {
        /// An HTTP status line and header fields.
        case httpHeaders
        /// The server's replies in a command/reply protocol (SMTP): `250 2.0.0 Ok`, `550-…` continuations.
        case serverReplies
    }

    let maxBodySize: Int
    let shouldAbort: (() -> Bool)?
    let lines: Lines
    private(set) var headers = HTTPHeaders()
    private(set) var body: [UInt8] = []
    private(set) var stop: Stop?
    /// The text of the last reply line seen for each reply code (`.serverReplies` only).
    private(set) var replies: [Int: String] = [:]
    private var headerBytes = 0
    private let upload: [UInt8]
    private var uploaded = 0

    init(maxBodySize: Int, shouldAbort: (() -> Bool)?, lines: Lines = .httpHeaders, upload: [UInt8] = []) {
        self.maxBodySize = maxBodySize
        self.shouldAbort = shouldAbort
        self.lines = lines
        self.upload = upload
    }

    /// Copies the next part of the upload into `buffer`; 0 once it has all been read.
    func readUpload(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(buffer.count, upload.count - uploaded)
        guard count > 0 else { return 0 }
        upload.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[uploaded..<uploaded + count]))
        }
        uploaded += count
        return count
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
        if lines == .serverReplies {
            receiveReply(text)
        } else if text.hasPrefix("HTTP/") {
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

    /// `250 2.0.0 Ok: queued as 4F2C`, or a `250-…` line of a multi-line reply: kept by code, text trimmed.
    private func receiveReply(_ line: String) {
        let utf8 = Array(line.utf8.prefix(4))
        guard utf8.count >= 3, utf8[0..<3].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let code = Int(String(decoding: utf8[0..<3], as: UTF8.self))
        else { return }
        replies[code] = Self.trimmed(line.dropFirst(4))
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
