import ArgumentParser
import LeadflowStore

/// `leadflow org resume ORG [--channel C]`: lifts a pause and wakes the schedulers.
struct OrgResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume an organization's paused work, or one paused channel; schedulers claim it at once.")

    @Argument(help: "The organization.")
    var org: String

    @Option(help: "Resume only this channel's pause: email, sms or webhook (default: the pause of all work).")
    var channel: String?

    @OptionGroup var database: DatabaseOptions

    func validate() throws { _ = try OrgPauseScope.parse(channel) }

    func run() async throws {
        let scope = try OrgPauseScope.parse(channel)
        let actor = CLIActor.audit
        let pause = try await OrgChannels.withDatabase(database) { [org] connection in
            try OrganizationPauses.resume(org: org, scope: scope, by: actor, on: connection)
        }
        print("resumed \(scope) of \(pause.org) (paused since \(pause.pausedAt.formatted(.iso8601)) by \(pause.pausedBy))")
    }
}
