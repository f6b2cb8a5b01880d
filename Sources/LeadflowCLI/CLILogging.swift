import Foundation
import Logging

/// The CLI's logging: human-readable lines on stderr, so stdout stays for results (URLs, figures).
enum CLILogging {
    static let bootstrapped: Void = {
        let level = ProcessInfo.processInfo.environment["LEADFLOW_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }()

    static func logger(_ component: String) -> Logger {
        _ = bootstrapped
        return Logger(label: "leadflow.\(component)")
    }
}
