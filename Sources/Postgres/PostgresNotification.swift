/// A `NOTIFY` received on a channel the connection listens to.
public struct PostgresNotification: Hashable, Sendable {
    public var channel: String
    public var payload: String
    /// The backend process id of the session that sent it.
    public var senderPID: Int32

    public init(channel: String, payload: String, senderPID: Int32) {
        self.channel = channel
        self.payload = payload
        self.senderPID = senderPID
    }
}
