import ArgumentParser
import LeadflowProto

/// `leadflow lead resubscribe ID --org ORG [--channel C]`: lift an opt-out, through ingest.
struct LeadResubscribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resubscribe",
        abstract: "Lift a lead's opt-out after it explicitly opted in again (lead.resubscribe through ingest).",
        discussion: """
            Without --channel, every channel's suppression is lifted, the all-channel one included. Actions canceled \
            meanwhile stay canceled; a lead whose stages ended on an all-channel opt-out needs enrolling again.
            """)

    @OptionGroup var lead: LeadWriteOptions

    @Option(help: "email or sms (default: every channel).")
    var channel: String?

    @Option(help: "Why, for the record.")
    var reason: String?

    @Option(help: "Where the opt-in came from, for the record.")
    var source = "cli"

    func validate() throws { _ = try ChannelArgument.parse(channel) }

    func run() async throws {
        var resubscribe = Leadflow_V1_LeadResubscribe()
        resubscribe.externalID = lead.externalID
        resubscribe.channel = try ChannelArgument.parse(channel)
        if let reason { resubscribe.reason = reason }
        resubscribe.source = source
        let message = resubscribe
        try await lead.publish("resubscribe") { client, org, msgID in
            try await client.resubscribe(org: org, message, msgID: msgID)
        }
    }
}
