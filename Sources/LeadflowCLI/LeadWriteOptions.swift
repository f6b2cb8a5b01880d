import ArgumentParser
import LeadflowClient
import LeadflowProto

/// What every `leadflow lead` write names — the lead and its organization — and how it reaches ingest. Writes
/// go through ingest like every other publisher's: acknowledged once committed, deduplicated by msg id.
struct LeadWriteOptions: ParsableArguments {
    @Argument(help: "The lead's external id (LeadUpsert.external_id).")
    var externalID: String

    @Option(help: "The organization the lead belongs to.")
    var org: String

    @Option(
        name: .customLong("msg-id"),
        help: "The message's Nats-Msg-Id, to publish again safely after a time-out (default: a new one).")
    var msgID: String?

    @OptionGroup var ingest: IngestOptions

    /// Publishes with `publish` and prints what ingest acknowledged; ingest's `-ERR` fails with its reason.
    func publish(
        _ what: String,
        _ publish: @Sendable (LeadflowClient, String, String?) async throws -> LeadflowClient.Receipt
    ) async throws {
        let (org, msgID) = (org, msgID)
        let receipt = try await ingest.withClient { client in
            do {
                return try await publish(client, org, msgID)
            } catch let error as LeadflowClientError {
                if let rejection = error.rejection { throw CLIError("ingest refused the \(what): \(rejection.reason)") }
                throw CLIError("the \(what) was not acknowledged: \(error.detail)")
            }
        }
        print("\(what) of \(externalID) acknowledged (msg id \(receipt.msgID))")
    }
}

/// `--channel email|sms` of an opt-out or opt-in; absent: every channel.
enum ChannelArgument {
    static func parse(_ name: String?) throws -> Leadflow_V1_Channel {
        switch name {
        case nil: .unspecified
        case "email": .email
        case "sms": .sms
        case let other?: throw ValidationError("--channel \(other): expected email or sms (leave it out for every channel)")
        }
    }
}
