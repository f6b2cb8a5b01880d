import Logging
import Synchronization

/// A logger whose messages tests can wait for: the client's "sending again" line is the real signal that an
/// attempt timed out.
final class LogRecorder: Sendable {
    let messages: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation

    init() {
        (messages, continuation) = AsyncStream<String>.makeStream()
    }

    var logger: Logger {
        var logger = Logger(label: "leadflow.client.test") { _ in Handler(recorder: self) }
        logger.logLevel = .trace
        return logger
    }

    /// Waits for a message that contains `text`.
    func waitFor(_ text: String) async {
        for await message in messages where message.contains(text) { return }
    }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            recorder.continuation.yield(event.message.description)
        }
    }
}
