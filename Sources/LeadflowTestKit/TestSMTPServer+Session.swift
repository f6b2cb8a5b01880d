import FlyingSocks
import Foundation

extension TestSMTPServer {
    /// One client connection: reads command lines, keeps the transaction, answers.
    struct Session {
        let server: TestSMTPServer
        let socket: AsyncSocket
        /// The connection's number, from 1 in order of acceptance; messages name it.
        let number: Int
        private var buffer: [UInt8] = []
        private var authentication: (mechanism: String, user: String)?
        private var from: String?
        private var recipients: [String] = []

        init(server: TestSMTPServer, socket: AsyncSocket, number: Int) {
            self.server = server
            self.socket = socket
            self.number = number
        }

        consuming func run() async {
            do {
                try await send("220 127.0.0.1 ESMTP leadflow-test")
                while let line = try await readLine() {
                    guard try await handle(String(decoding: line, as: UTF8.self)) else { break }
                }
            } catch {
                // The client went away or the server stopped: the session simply ends.
            }
        }

        /// Answers one command; false after QUIT.
        private mutating func handle(_ line: String) async throws -> Bool {
            let verb = line.prefix { $0 != " " }.uppercased()
            let argument = line.dropFirst(verb.count).trimmingCharacters(in: .whitespaces)
            switch verb {
            case "EHLO":
                var lines = ["250-127.0.0.1 greets \(argument)"]
                if !server.authMechanisms.isEmpty {
                    lines.append("250-AUTH " + server.authMechanisms.joined(separator: " "))
                }
                lines.append("250 8BITMIME")
                try await send(lines.joined(separator: "\r\n"))
            case "HELO":
                try await send("250 127.0.0.1")
            case "AUTH":
                try await authenticate(argument)
            case "MAIL":
                if !server.users.isEmpty && authentication == nil {
                    try await send("530 5.7.0 Authentication required")
                } else if from != nil {
                    // As a conforming server does: a transaction is open (RSET or a finished DATA ends it).
                    try await send("503 5.5.1 Error: nested MAIL command")
                } else {
                    from = Self.address(in: argument)
                    recipients = []
                    try await send("250 2.1.0 Ok")
                }
            case "RCPT":
                guard from != nil else {
                    try await send("503 5.5.1 MAIL first")
                    return true
                }
                let recipient = Self.address(in: argument)
                let reply =
                    server.state.withLock { $0.recipientReplies[recipient.lowercased()] } ?? Reply(250, "2.1.5 Ok")
                if reply.code / 100 == 2 { recipients.append(recipient) }
                try await send("\(reply.code) \(reply.text)")
            case "DATA":
                guard let from, !recipients.isEmpty else {
                    try await send("503 5.5.1 RCPT first")
                    return true
                }
                try await send("354 End data with <CR><LF>.<CR><LF>")
                let data = try await readData()
                let latency = server.state.withLock { state in
                    state.inData += 1
                    state.mostInData = max(state.mostInData, state.inData)
                    return state.latency
                }
                if latency > .zero { try? await Task.sleep(for: latency) }
                let message = server.state.withLock { state -> Message in
                    state.inData -= 1
                    state.queueID += 1
                    let message = Message(
                        from: from, recipients: recipients, data: data, authMechanism: authentication?.mechanism,
                        authUser: authentication?.user, queueID: "Q\(state.queueID)", session: number)
                    state.recorded.append(message)
                    return message
                }
                self.from = nil
                recipients = []
                server.continuation.yield(message)
                try await send("250 2.0.0 Ok: queued as \(message.queueID)")
            case "RSET":
                from = nil
                recipients = []
                try await send("250 2.0.0 Ok")
            case "NOOP":
                try await send("250 2.0.0 Ok")
            case "QUIT":
                server.state.withLock { $0.quits += 1 }
                try await send("221 2.0.0 Bye")
                return false
            default:
                try await send("502 5.5.2 Command not recognized")
            }
            return true
        }

        private mutating func authenticate(_ argument: String) async throws {
            let parts = argument.split(separator: " ").map(String.init)
            let mechanism = parts.first?.uppercased() ?? ""
            guard server.authMechanisms.contains(mechanism) else {
                return try await send("504 5.5.4 Unrecognized authentication type")
            }
            let user: String
            let password: String
            if mechanism == "PLAIN" {
                let response = try await parts.count > 1 ? parts[1] : challenge("")
                // authzid NUL authcid NUL password (RFC 4616).
                let fields = Self.decode(response).split(separator: "\0", omittingEmptySubsequences: false)
                guard fields.count == 3 else { return try await send("501 5.5.2 Malformed PLAIN response") }
                (user, password) = (String(fields[1]), String(fields[2]))
            } else {
                user = Self.decode(try await parts.count > 1 ? parts[1] : challenge("VXNlcm5hbWU6"))
                password = Self.decode(try await challenge("UGFzc3dvcmQ6"))
            }
            if !server.users.isEmpty && server.users[user] != password {
                return try await send("535 5.7.8 Authentication credentials invalid")
            }
            authentication = (mechanism, user)
            try await send("235 2.7.0 Authentication successful")
        }

        private mutating func challenge(_ text: String) async throws -> String {
            try await send("334 \(text)")
            return String(decoding: try await readLine() ?? [], as: UTF8.self)
        }

        /// The lines up to the lone `.`, dot-stuffing undone, joined with CRLF (ending with one).
        private mutating func readData() async throws -> [UInt8] {
            var data: [UInt8] = []
            while let line = try await readLine() {
                if line == [UInt8(ascii: ".")] { break }
                data += line.first == UInt8(ascii: ".") ? line.dropFirst() : line[...]
                data += [0x0D, 0x0A]
            }
            return data
        }

        private mutating func readLine() async throws -> [UInt8]? {
            while true {
                if let newline = buffer.firstIndex(of: 0x0A) {
                    var line = Array(buffer[..<newline])
                    buffer.removeFirst(newline + 1)
                    if line.last == 0x0D { line.removeLast() }
                    return line
                }
                let chunk = try await socket.read(atMost: 4096)
                if chunk.isEmpty { return nil }
                buffer += chunk
            }
        }

        private func send(_ reply: String) async throws {
            try await socket.write(Data((reply + "\r\n").utf8))
        }

        /// The address inside `FROM:<a@b>` / `TO:<a@b> SIZE=…`.
        private static func address(in argument: String) -> String {
            guard let open = argument.firstIndex(of: "<"), let close = argument[open...].firstIndex(of: ">") else {
                return String(argument.drop { $0 != ":" }.dropFirst())
            }
            return String(argument[argument.index(after: open)..<close])
        }

        private static func decode(_ base64: String) -> String {
            Data(base64Encoded: base64).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
    }
}
