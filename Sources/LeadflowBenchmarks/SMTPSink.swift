import Foundation
import Synchronization

/// A real SMTP server on 127.0.0.1 for the delivery benchmark: a thread per connection with blocking sockets,
/// EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP and QUIT, every message accepted after `latency` — the time a relay
/// takes to queue one. It counts messages and the most connections inside a message at once, and keeps nothing
/// else.
final class SMTPSink: Sendable {
    private struct State {
        var messages = 0
        var inMessage = 0
        var mostInMessage = 0
        var connections = 0
        var stopped = false
    }

    let port: UInt16
    private let listener: Int32
    private let latency: Duration
    private let state = Mutex(State())

    var url: String { "smtp://127.0.0.1:\(port)" }
    var messages: Int { state.withLock { $0.messages } }
    var mostConcurrentMessages: Int { state.withLock { $0.mostInMessage } }
    var connections: Int { state.withLock { $0.connections } }

    /// Listens on an ephemeral loopback port and accepts connections on a thread of its own.
    init(latency: Duration) throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw SMTPSinkError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(socket, generic, length) == 0 && listen(socket, 1024) == 0
                    && getsockname(socket, generic, &length) == 0
            }
        }
        guard bound else {
            close(socket)
            throw SMTPSinkError("bind/listen: \(String(cString: strerror(errno)))")
        }
        port = UInt16(bigEndian: address.sin_port)
        listener = socket
        self.latency = latency
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "bench.smtp-sink"
        thread.start()
    }

    /// Stops accepting; sessions end when their clients leave.
    func stop() {
        state.withLock { $0.stopped = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                if errno == EINTR { continue }
                return
            }
            state.withLock { $0.connections += 1 }
            let thread = Thread { [self] in serve(connection) }
            thread.stackSize = 256 << 10
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var reader = LineReader(socket: connection)
        func reply(_ text: String) -> Bool {
            let bytes = Array((text + "\r\n").utf8)
            return bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
        }
        guard reply("220 127.0.0.1 ESMTP leadflow-bench") else { return }
        while let line = reader.line() {
            let verb = line.prefix { $0 != " " }.uppercased()
            let answered: Bool
            switch verb {
            case "EHLO": answered = reply("250-127.0.0.1\r\n250 8BITMIME")
            case "HELO", "MAIL", "RCPT", "RSET", "NOOP": answered = reply("250 2.0.0 Ok")
            case "DATA":
                guard reply("354 End data with <CR><LF>.<CR><LF>") else { return }
                while let data = reader.line(), data != "." {}
                state.withLock { state in
                    state.inMessage += 1
                    state.mostInMessage = max(state.mostInMessage, state.inMessage)
                }
                Thread.sleep(forTimeInterval: Double(latency.components.seconds)
                    + Double(latency.components.attoseconds) / 1e18)
                let number = state.withLock { state in
                    state.inMessage -= 1
                    state.messages += 1
                    return state.messages
                }
                answered = reply("250 2.0.0 Ok: queued as B\(number)")
            case "QUIT":
                _ = reply("221 2.0.0 Bye")
                return
            default: answered = reply("502 5.5.2 Command not recognized")
            }
            guard answered else { return }
        }
    }

    /// Reads CRLF-terminated lines from a blocking socket.
    private struct LineReader {
        let socket: Int32
        var buffer: [UInt8] = []
        var start = 0

        init(socket: Int32) { self.socket = socket }

        mutating func line() -> String? {
            while true {
                if let newline = buffer[start...].firstIndex(of: 0x0A) {
                    var end = newline
                    if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                    let text = String(decoding: buffer[start..<end], as: UTF8.self)
                    start = newline + 1
                    if start > 65_536 {
                        buffer.removeFirst(start)
                        start = 0
                    }
                    return text
                }
                var chunk = [UInt8](repeating: 0, count: 16_384)
                let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { return nil }
                buffer.append(contentsOf: chunk[0..<count])
            }
        }
    }
}

struct SMTPSinkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
