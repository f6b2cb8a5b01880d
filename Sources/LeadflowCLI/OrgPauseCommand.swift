import ArgumentParser
import LeadflowStore

/// `leadflow org pause ORG [--channel C] [--reason R]`: claims skip the organization's work, or one channel's.
struct OrgPauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Pause an organization's work, or one channel of it: claims skip it, what is in flight finishes.",
        discussion: """
            Every scheduler reads pauses at each claim, so a pause holds within a claim, across processes. Without \
            --channel every action type stops, internal ones (waits, moves) included. Recorded with who paused \
            ($LEADFLOW_ACTOR, else cli:$USER) and why; `leadflow lead show` names it as the reason work waits.
            """)

    @Argument(help: "The organization.")
    var org: String

    @Option(help: "Pause only this channel: email, sms or webhook (default: all work).")
    var channel: String?

    @Option(help: "Why, shown wherever the pause is.")
    var reason: String?

    @OptionGroup var database: DatabaseOptions

    func validate() throws { _ = try OrgPauseScope.parse(channel) }

    func run() async throws {
        let scope = try OrgPauseScope.parse(channel)
        let (actor, reason) = (CLIActor.audit, reason)
        let pause = try await OrgChannels.withDatabase(database) { [org] connection in
            try OrganizationPauses.pause(org: org, scope: scope, by: actor, reason: reason, on: connection)
        }
        print("paused \(scope) of \(pause.org) (by \(pause.pausedBy))")
    }
}

/// The scope `--channel` names.
enum OrgPauseScope {
    static func parse(_ channel: String?) throws -> OrganizationPauses.Scope {
        guard let channel else { return .all }
        guard let scope = OrganizationPauses.Scope(name: channel), scope != .all else {
            throw ValidationError("--channel \(channel): expected email, sms or webhook")
        }
        return scope
    }
}
