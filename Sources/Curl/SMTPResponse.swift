/// The server's final reply to an SMTP submission: `250` when the message was accepted, or the `4xx`/`5xx`
/// reply with which it refused a step (authentication, sender, recipient, the message).
public struct SMTPResponse: Sendable, Hashable {
    /// The reply code, e.g. 250, 451, 550.
    public var code: Int
    /// The reply text after the code, e.g. `2.0.0 Ok: queued as 4F2C1` (the last line of a multi-line reply).
    public var text: String
    /// From the start of the session until the reply, as libcurl measured it.
    public var totalTime: Duration

    public init(code: Int, text: String, totalTime: Duration = .zero) {
        self.code = code
        self.text = text
        self.totalTime = totalTime
    }

    /// A 2xx reply: the server took responsibility for the message.
    public var isAccepted: Bool { (200..<300).contains(code) }
}

extension SMTPResponse: CustomStringConvertible {
    public var description: String { "SMTP \(code) \(text)" }
}
