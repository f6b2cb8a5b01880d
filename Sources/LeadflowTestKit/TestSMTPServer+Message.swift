extension TestSMTPServer {
    /// One message the server accepted: its envelope, how the client authenticated, and the data as received
    /// (dot-stuffing undone, CRLF line endings kept).
    public struct Message: Sendable {
        public var from: String
        public var recipients: [String]
        public var data: [UInt8]
        /// The AUTH mechanism and user the session authenticated with before this message, if it did.
        public var authMechanism: String?
        public var authUser: String?
        /// The id the server gave in its `250 … queued as <id>` reply.
        public var queueID: String
        /// The number of the connection (session) it came on, from 1 in order of acceptance.
        public var session: Int

        /// The data as text (lossy UTF-8).
        public var text: String { String(decoding: data, as: UTF8.self) }

        /// The header fields of the message, unfolded, in order.
        public var headers: [(name: String, value: String)] {
            var fields: [(name: String, value: String)] = []
            for line in text.components(separatedBy: "\r\n") {
                if line.isEmpty { break }
                if line.first == " " || line.first == "\t", !fields.isEmpty {
                    fields[fields.count - 1].value += line
                } else if let colon = line.firstIndex(of: ":") {
                    fields.append(
                        (String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " })))
                }
            }
            return fields
        }

        /// The first value of header `name`, compared case-insensitively.
        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        /// Everything after the blank line that ends the header.
        public var body: String {
            guard let end = text.range(of: "\r\n\r\n") else { return "" }
            return String(text[end.upperBound...])
        }
    }
}
