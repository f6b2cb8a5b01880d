import Foundation
import LeadflowBus
import LeadflowDomain
import LeadflowProto
import SwiftProtobuf
import Testing

@testable import LeadflowIngest

@Suite("Ingest request decoding")
struct IngestDecoderTests {
    let decoder = IngestDecoder()

    func envelope(
        _ subject: String, _ message: some SwiftProtobuf.Message, msgID: String? = "m-1",
        extra: KeyValuePairs<String, String> = [:], contentType: ContentType = .protobuf
    ) throws -> Envelope {
        var headers = try Headers(extra)
        if let msgID { try headers.append(Headers.Name.msgID, msgID) }
        return try Envelope(subject: Subject(subject), message: message, headers: headers, contentType: contentType)
    }

    static func upsert(_ externalID: String = "crm-1") -> Leadflow_V1_LeadUpsert {
        var upsert = Leadflow_V1_LeadUpsert()
        upsert.externalID = externalID
        upsert.email = "ada@example.com"
        return upsert
    }

    static func pipeline(moveTo target: String = "welcome") -> Leadflow_V1_PipelineDefinition {
        var move = Leadflow_V1_Action()
        move.move = Leadflow_V1_MoveAction.with { $0.stage = target }
        var stage = Leadflow_V1_Stage()
        stage.name = "welcome"
        stage.actions = [move]
        var definition = Leadflow_V1_PipelineDefinition()
        definition.name = "onboarding"
        definition.stages = [stage]
        return definition
    }

    @Test("each ingest subject decodes to its command, with the org from the last token")
    func commands() throws {
        let upsert = try decoder.decode(envelope("lead.upsert.acme", Self.upsert(), extra: ["Traceparent": "00-abc-def-01"]))
        #expect(upsert.org == "acme")
        #expect(upsert.msgID == "m-1")
        #expect(upsert.command == .upsertLead(Self.upsert()))
        #expect(upsert.traceparent == "00-abc-def-01")
        #expect(upsert.hasInvalidTraceparent)

        let enroll = Leadflow_V1_LeadEnroll.with {
            $0.externalID = "crm-1"
            $0.pipeline = "onboarding"
        }
        #expect(try decoder.decode(envelope("lead.enroll.acme", enroll)).command == .enroll(enroll))
        let reply = Leadflow_V1_LeadReply.with {
            $0.externalID = "crm-1"
            $0.channel = .email
        }
        #expect(try decoder.decode(envelope("lead.reply.acme", reply)).command == .reply(reply))
        let unsubscribe = Leadflow_V1_LeadUnsubscribe.with { $0.externalID = "crm-1" }
        #expect(try decoder.decode(envelope("lead.unsubscribe.acme", unsubscribe)).command == .unsubscribe(unsubscribe))
        let resubscribe = Leadflow_V1_LeadResubscribe.with {
            $0.externalID = "crm-1"
            $0.channel = .sms
            $0.source = "preference_center"
        }
        #expect(
            try decoder.decode(envelope("lead.resubscribe.acme", resubscribe)).command == .resubscribe(resubscribe))
        let delete = Leadflow_V1_LeadDelete.with { $0.externalID = "crm-1" }
        #expect(try decoder.decode(envelope("lead.delete.acme", delete)).command == .delete(delete))
        #expect(try decoder.decode(envelope("pipeline.upsert.acme", Self.pipeline())).command == .upsertPipeline(Self.pipeline()))
    }

    static let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test("a valid Traceparent is the message's trace; without one the message starts a new trace")
    func traceparent() throws {
        let traced = try decoder.decode(envelope("lead.upsert.acme", Self.upsert(), extra: ["Traceparent": Self.traceparent]))
        #expect(traced.trace == TraceParent(Self.traceparent))
        #expect(!traced.hasInvalidTraceparent)
        // Header names are case-insensitive; a future version is read as 00.
        let future = try decoder.decode(
            envelope("lead.upsert.acme", Self.upsert(), extra: ["traceparent": "01" + Self.traceparent.dropFirst(2) + "-x"]))
        #expect(future.trace.description == Self.traceparent)
        #expect(!future.hasInvalidTraceparent)

        let first = try decoder.decode(envelope("lead.upsert.acme", Self.upsert()))
        let second = try decoder.decode(envelope("lead.upsert.acme", Self.upsert()))
        #expect(first.traceparent == nil)
        #expect(!first.hasInvalidTraceparent)
        #expect(first.trace.traceID != second.trace.traceID)
    }

    @Test(
        "an invalid Traceparent, or two of them, is replaced by a new trace and the message still accepted",
        arguments: [
            ["00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"],
            ["00-00000000000000000000000000000000-00f067aa0ba902b7-01"],
            ["ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"],
            ["not a trace"],
            [
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b8-01",
            ],
        ])
    func invalidTraceparent(values: [String]) throws {
        var headers = Headers()
        try headers.append(Headers.Name.msgID, "m-1")
        for value in values { try headers.append(Headers.Name.traceparent, value) }
        let message = try decoder.decode(Envelope(subject: Subject("lead.upsert.acme"), message: Self.upsert(), headers: headers))
        #expect(message.hasInvalidTraceparent)
        #expect(message.traceparent == values.first)
        #expect(message.trace.traceID != "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(TraceParent(message.trace.description) == message.trace)
    }

    @Test("a JSON payload decodes like its protobuf form")
    func jsonPayload() throws {
        let message = try decoder.decode(envelope("lead.upsert.acme", Self.upsert(), contentType: .json))
        #expect(message.command == .upsertLead(Self.upsert()))
    }

    @Test(
        "subjects that are not ingest subjects",
        arguments: ["lead.create.acme", "lead.upserted.acme", "foo.bar.acme", "pipeline.delete.acme", "lead.upsert",
                    "lead.upsert.acme.extra", "lead"])
    func unknownSubjects(subject: String) throws {
        let result = try decoder.decode(.success(envelope(subject, Self.upsert())))
        #expect(result.rejection?.reason == .unknownSubject)
    }

    @Test(
        "rejections and their stable reasons",
        arguments: [
            ("no msg id", IngestReason.missingMsgID),
            ("empty msg id", .missingMsgID),
            ("msg id too long", .missingMsgID),
            ("org too long", .invalidSubject),
            ("no external id", .invalidPayload),
            ("external id too long", .invalidPayload),
            ("enroll without pipeline", .invalidPayload),
            ("reply without channel", .invalidPayload),
            ("resubscribe to an unknown channel", .invalidPayload),
            ("resubscribe without external id", .invalidPayload),
            ("pipeline moving to an unknown stage", .invalidPayload),
            ("garbage payload", .invalidPayload),
            ("text payload", .unsupportedContentType),
        ])
    func rejections(case name: String, reason: IngestReason) throws {
        let input: Envelope
        switch name {
        case "no msg id": input = try envelope("lead.upsert.acme", Self.upsert(), msgID: nil)
        case "empty msg id": input = try envelope("lead.upsert.acme", Self.upsert(), msgID: "")
        case "msg id too long": input = try envelope("lead.upsert.acme", Self.upsert(), msgID: String(repeating: "m", count: 256))
        case "org too long": input = try envelope("lead.upsert.\(String(repeating: "o", count: 65))", Self.upsert())
        case "no external id": input = try envelope("lead.upsert.acme", Self.upsert(""))
        case "external id too long": input = try envelope("lead.upsert.acme", Self.upsert(String(repeating: "x", count: 256)))
        case "enroll without pipeline": input = try envelope("lead.enroll.acme", Leadflow_V1_LeadEnroll.with { $0.externalID = "crm-1" })
        case "reply without channel": input = try envelope("lead.reply.acme", Leadflow_V1_LeadReply.with { $0.externalID = "crm-1" })
        case "resubscribe to an unknown channel":
            input = try envelope(
                "lead.resubscribe.acme",
                Leadflow_V1_LeadResubscribe.with {
                    $0.externalID = "crm-1"
                    $0.channel = .UNRECOGNIZED(9)
                })
        case "resubscribe without external id":
            input = try envelope("lead.resubscribe.acme", Leadflow_V1_LeadResubscribe.with { $0.channel = .sms })
        case "pipeline moving to an unknown stage": input = try envelope("pipeline.upsert.acme", Self.pipeline(moveTo: "nowhere"))
        case "garbage payload":
            input = Envelope(subject: try Subject("lead.upsert.acme"), headers: try Headers([Headers.Name.msgID: "m-1"]), payload: [0xFF, 0xFF])
        default:
            input = Envelope(
                subject: try Subject("lead.upsert.acme"),
                headers: try Headers([Headers.Name.msgID: "m-1", "Content-Type": "text/plain"]), payload: [])
        }
        let rejection = decoder.decode(.success(input)).rejection
        #expect(rejection?.reason == reason, "\(name): \(String(describing: rejection))")
    }

    @Test("a pipeline whose template puts a lead's value where no escaping makes it safe is refused, naming the field")
    func unsafeTemplate() throws {
        var definition = Self.pipeline()
        definition.stages[0].actions.insert(
            .with {
                $0.email = .with {
                    $0.sender = "hello@acme.test"
                    $0.subject = "Hi"
                    $0.text = "Hi"
                    $0.html = #"<a href="{{attributes.website}}">your site</a>"#
                }
            }, at: 0)
        let rejection = try #require(decoder.decode(.success(try envelope("pipeline.upsert.acme", definition))).rejection)
        #expect(rejection.reason == .invalidPayload)
        #expect("\(rejection)".contains("stages[0].actions[0].email.html"), "\(rejection)")
        #expect("\(rejection)".contains("at the start of the URL in `href`"), "\(rejection)")
    }

    @Test("envelope errors map to their reasons", arguments: [
        (EnvelopeError.wrongFrameCount(2), IngestReason.malformedMessage),
        (.invalidSubject(.empty), .invalidSubject),
        (.malformedHeaders(.badVersionLine), .malformedHeaders),
        (.payloadTooLarge(size: 2, limit: 1), .payloadTooLarge),
        (.unsupportedContentType("x"), .unsupportedContentType),
        (.undecodablePayload(messageType: "T", reason: "r"), .invalidPayload),
    ])
    func envelopeErrors(error: EnvelopeError, reason: IngestReason) {
        #expect(decoder.decode(.failure(error)).rejection?.reason == reason)
        #expect(error.reason == reason, "the bus names the reason ingest answers with")
    }

    @Test("reason strings are the documented ones, in docs/protocol.md's table")
    func reasonStrings() throws {
        #expect(IngestReason.allCases.map(\.rawValue) == [
            "Malformed Message", "Invalid Subject", "Unknown Subject", "Malformed Headers", "Missing Msg-Id",
            "Payload Too Large", "Unsupported Content-Type", "Invalid Payload", "Unknown Pipeline", "Unknown Organization",
            "Not Authorized",
        ])
        let protocolDoc = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../docs/protocol.md"),
            encoding: .utf8)
        let documented = protocolDoc.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `"), let end = line.dropFirst(3).firstIndex(of: "`") else { return nil }
            return String(line[line.index(line.startIndex, offsetBy: 3)..<end])
        }
        for reason in IngestReason.allCases {
            #expect(documented.contains(reason.rawValue), "docs/protocol.md's reason table lacks \(reason.rawValue)")
        }
    }
}

extension Result where Failure == IngestRejection {
    var rejection: IngestRejection? {
        if case .failure(let rejection) = self { rejection } else { nil }
    }
}
