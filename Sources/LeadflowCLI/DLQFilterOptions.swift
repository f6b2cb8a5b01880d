import ArgumentParser
import Foundation
import LeadflowDomain
import LeadflowPipeline
import LeadflowStore

/// `--org`, `--type`, `--since` and `--error`: which dead actions a `leadflow dlq` command is about.
struct DLQFilterOptions: ParsableArguments {
    /// The action types that can die: the external ones.
    enum ActionTypeArgument: String, ExpressibleByArgument, CaseIterable {
        case email, sms, webhook

        var type: ActionType { ActionType(rawValue: rawValue)! }
    }

    @Option(help: ArgumentHelp("Only this organization's dead actions.", valueName: "org"))
    var org: String?

    @Option(help: ArgumentHelp("Only actions of this type.", valueName: "type"))
    var type: ActionTypeArgument?

    @Option(
        help: ArgumentHelp(
            "Only actions that died at or after this time: ISO 8601 (2026-11-01T00:00:00Z) or a duration ago (90s, 15m, 1h, 2d).",
            valueName: "time"),
        transform: DLQFilterOptions.since)
    var since: Date?

    @Option(
        name: .customLong("error"),
        help: ArgumentHelp("Only actions whose last error contains this text (ignoring case).", valueName: "text"))
    var errorContains: String?

    var filter: DeadLetterFilter {
        DeadLetterFilter(org: org, type: type?.type, since: since, errorContains: errorContains)
    }

    /// `--since`: an ISO 8601 time, or a duration before now in the pipeline duration syntax.
    static func since(_ text: String) throws -> Date {
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds]] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        if let seconds = try? PipelineDuration.seconds(from: text) {
            return Date().addingTimeInterval(-Double(seconds))
        }
        throw ValidationError(
            "expected an ISO 8601 time such as 2026-11-01T00:00:00Z, or a duration ago such as 90s, 15m, 1h, 2d")
    }
}
