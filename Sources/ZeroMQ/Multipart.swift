/// One received ZeroMQ message: its parts, and how many parts it really had.
///
/// Receivers keep at most a bounded number of parts (see ``SocketLoop/Configuration/maxFrames``); a message
/// with more is still delivered, truncated, so that the receiver can reject it precisely (and, on a ROUTER,
/// still knows whom to answer).
public struct Multipart: Sendable, Equatable {
    public var frames: [[UInt8]]
    public var partCount: Int

    public init(frames: [[UInt8]], partCount: Int? = nil) {
        self.frames = frames
        self.partCount = partCount ?? frames.count
    }

    /// Whether parts were discarded because the message had more than the receiver keeps.
    public var isTruncated: Bool { partCount > frames.count }
}
