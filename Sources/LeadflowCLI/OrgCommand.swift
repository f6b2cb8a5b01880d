import ArgumentParser
import Foundation
import LeadflowDomain
import LeadflowStore
import Postgres

/// `leadflow org …`: per-organization settings kept in the database.
struct OrgCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org",
        abstract: "Per-organization throttling and pauses: limits per channel (docs/tenants.md), pause and resume (docs/operations.md).",
        subcommands: [
            OrgSetLimitsCommand.self, OrgLimitsCommand.self, OrgPauseCommand.self, OrgResumeCommand.self,
            OrgPausesCommand.self,
        ])
}

/// `leadflow org set-limits ORG …`: an organization's own limits on some channels.
struct OrgSetLimitsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-limits",
        abstract: "Set an organization's limits on email, sms and webhook actions (stored in PostgreSQL).",
        discussion: """
            Schedulers read the limits at every claim, so a change holds within a second, across every scheduler \
            process. Limits not given stay as they are; --reset returns the channels to the configured defaults \
            (tenant.max_in_flight, tenant.rate_per_second, tenant.burst).
            """)

    @Argument(help: "The organization.")
    var org: String

    @Option(
        name: .customLong("channel"), parsing: .upToNextOption,
        help: ArgumentHelp("Channels to change: email, sms, webhook (default: all three).", valueName: "channel"))
    var channels: [String] = []

    @Option(name: .customLong("max-in-flight"), help: "Most actions dispatched and not yet answered.")
    var maxInFlight: Int?

    @Option(name: .customLong("rate"), help: "Dispatches per second, on average (token bucket refill).")
    var ratePerSecond: Double?

    @Option(help: "Most dispatches at once after a quiet spell (token bucket size).")
    var burst: Int?

    @Flag(help: "Return the channels to the configured defaults.")
    var reset = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        _ = try OrgChannels.parse(channels)
        let change = OrganizationLimits.Change(maxInFlight: maxInFlight, ratePerSecond: ratePerSecond, burst: burst)
        if reset && change != .init() { throw ValidationError("--reset takes no limits; give either limits or --reset") }
        if !reset && change == .init() {
            throw ValidationError("nothing to set: give --max-in-flight, --rate or --burst (or --reset)")
        }
        if let problem = change.problems().first { throw ValidationError(problem) }
    }

    func run() async throws {
        let channels = try OrgChannels.parse(channels)
        let change = OrganizationLimits.Change(maxInFlight: maxInFlight, ratePerSecond: ratePerSecond, burst: burst)
        let listed = try await OrgChannels.withDatabase(database) { [org, reset] connection in
            if reset {
                try OrganizationLimits.reset(org: org, channels: channels, on: connection)
            } else {
                try OrganizationLimits.set(change, org: org, channels: channels, on: connection)
            }
            return try OrganizationLimits.list(org: org, on: connection)
        }
        print(OrgChannels.table(listed))
    }
}

/// `leadflow org limits [ORG]`: what is set and what is in flight.
struct OrgLimitsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "limits",
        abstract: "Show organizations' own limits (\"default\": the tenant.* setting) and their actions in flight.")

    @Argument(help: "The organization (default: every organization with limits or work in flight).")
    var org: String?

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let listed = try await OrgChannels.withDatabase(database) { [org] connection in
            try OrganizationLimits.list(org: org, on: connection)
        }
        print(listed.isEmpty ? "no organization has limits of its own or work in flight" : OrgChannels.table(listed))
    }
}

/// What the org commands share: channel names, the database and the table they print.
enum OrgChannels {
    static func parse(_ names: [String]) throws -> [ActionType] {
        guard !names.isEmpty else { return ActionType.external }
        return try names.flatMap { $0.split(separator: ",") }.map { name in
            guard let type = ActionType(rawValue: String(name)), type.isExternal else {
                throw ValidationError("--channel \(name): expected email, sms or webhook")
            }
            return type
        }
    }

    /// Runs `body` in one transaction on the database the options name; limit mistakes become plain errors.
    static func withDatabase<T: Sendable>(
        _ options: DatabaseOptions, _ body: @escaping @Sendable (isolated PostgresConnection) throws -> T
    ) async throws -> T {
        do {
            return try await options.withConnection(logger: CLILogging.logger("org")) { connection in
                try await connection.withTransaction(body)
            }
        } catch let failure as OrganizationLimits.Failure {
            throw CLIError(failure.description)
        } catch let failure as OrganizationPauses.Failure {
            throw CLIError(failure.description)
        }
    }

    static func table(_ channels: [OrganizationLimits.Channel]) -> String {
        func cell<T>(_ value: T?) -> String { value.map { "\($0)" } ?? "default" }
        let rows = [["ORG", "CHANNEL", "MAX IN FLIGHT", "RATE/S", "BURST", "IN FLIGHT"]]
            + channels.map { channel in
                [channel.org, channel.channel.rawValue, cell(channel.maxInFlight), cell(channel.ratePerSecond),
                 cell(channel.burst), "\(channel.inFlight)"]
            }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
