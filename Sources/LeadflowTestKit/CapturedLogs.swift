import Logging
import Synchronization

/// A log handler that keeps every record, so tests can read what a component logged — or wait for a line
/// that is the real signal of something having happened (a retry, a rejection).
public final class CapturedLogs: Sendable {
    public struct Record: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: [String: String]
    }

    private let records = Mutex<[Record]>([])
    private let stream: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation

    public init() {
        (stream, continuation) = AsyncStream<String>.makeStream()
    }

    public var all: [Record] { records.withLock { $0 } }

    public func logger(_ label: String = "test") -> Logger {
        var logger = Logger(label: label) { _ in Handler(logs: self) }
        logger.logLevel = .trace
        return logger
    }

    /// Waits for a message that contains `text` (logged after this call, or before it and not yet waited for).
    public func waitFor(_ text: String) async {
        for await message in stream where message.contains(text) { return }
    }

    fileprivate func append(_ record: Record) {
        records.withLock { $0.append(record) }
        continuation.yield(record.message)
    }

    struct Handler: LogHandler {
        let logs: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            logs.append(Record(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
        }
    }
}
