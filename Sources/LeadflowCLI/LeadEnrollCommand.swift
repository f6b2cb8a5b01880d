import ArgumentParser
import LeadflowProto

/// `leadflow lead enroll ID --org ORG --pipeline P [--stage S]`: put a lead into a pipeline, through ingest.
struct LeadEnrollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Put a lead into a pipeline (lead.enroll through ingest); a lead not known yet is created.",
        discussion: """
            A lead already in the pipeline moves to --stage when given, and otherwise stays where it is. A lead \
            unsubscribed from every channel is not enrolled. Ingest refuses an unknown pipeline or stage.
            """)

    @OptionGroup var lead: LeadWriteOptions

    @Option(help: "The pipeline's name.")
    var pipeline: String

    @Option(help: "The stage to enter (default: the pipeline's first).")
    var stage: String?

    func run() async throws {
        var enroll = Leadflow_V1_LeadEnroll()
        enroll.externalID = lead.externalID
        enroll.pipeline = pipeline
        if let stage { enroll.stage = stage }
        let message = enroll
        try await lead.publish("enroll") { client, org, msgID in
            try await client.enroll(org: org, message, msgID: msgID)
        }
    }
}
