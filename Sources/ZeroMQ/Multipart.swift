/// One received ZeroMQ message: its parts, and how many parts it really had.
///
/// Receivers keep at most a bounded number of parts (see ``SocketLoop/Configuration/maxFrames``); a message
/// with more is still delivered, truncated, so that the receiver can reject it precisely (and, on a ROUTER,
/// still knows whom to answer).
public struct Multipart: Sendable, Equatable {
    public var frames: [[UInt8]]
    public var partCount: Int
    /// The ZAP `User-Id` of the connection the message came over, when the receiving socket reads it
    /// (``SocketLoop/Configuration/readsUserID``) and a ZAP handler named the peer.
    public var userID: String?

    public init(frames: [[UInt8]], partCount: Int? = nil, userID: String? = nil) {
        self.frames = frames
        self.partCount = partCount ?? frames.count
        self.userID = userID
    }

    /// Whether parts were discarded because the message had more than the receiver keeps.
    public var isTruncated: Bool { partCount > frames.count }
}
