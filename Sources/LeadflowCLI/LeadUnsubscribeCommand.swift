import ArgumentParser
import LeadflowProto

/// `leadflow lead unsubscribe ID --org ORG [--channel C]`: record an opt-out, through ingest.
struct LeadUnsubscribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unsubscribe",
        abstract: "Record that a lead opted out of a channel, or of every channel (lead.unsubscribe through ingest).",
        discussion: """
            A channel's opt-out cancels the lead's actions on that channel; every channel's stops all automation for \
            the lead. A lead not known yet is created already suppressed. Only `leadflow lead resubscribe` lifts it.
            """)

    @OptionGroup var lead: LeadWriteOptions

    @Option(help: "email or sms (default: every channel).")
    var channel: String?

    @Option(help: "Why, for the record.")
    var reason: String?

    @Option(help: "Where the opt-out came from, for the record.")
    var source = "cli"

    func validate() throws { _ = try ChannelArgument.parse(channel) }

    func run() async throws {
        var unsubscribe = Leadflow_V1_LeadUnsubscribe()
        unsubscribe.externalID = lead.externalID
        unsubscribe.channel = try ChannelArgument.parse(channel)
        if let reason { unsubscribe.reason = reason }
        unsubscribe.source = source
        let message = unsubscribe
        try await lead.publish("unsubscribe") { client, org, msgID in
            try await client.unsubscribe(org: org, message, msgID: msgID)
        }
    }
}
