import Foundation
import LeadflowProto
import SwiftProtobuf
import Testing

@testable import LeadflowPipeline

@Suite("Decoding pipeline YAML into the wire definition")
struct PipelineDecoderTests {
    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/pipelines")

    @Test("the example pipelines load and validate", arguments: ["onboarding.yaml", "three-step.yaml"])
    func examplesValidate(_ name: String) throws {
        let path = Self.examples.appendingPathComponent(name).path
        let definition = try PipelineFile.load(path: path)
        #expect(definition.name == name.replacingOccurrences(of: ".yaml", with: ""))
        #expect(PipelineValidator().issues(in: definition).isEmpty)
    }

    @Test("the onboarding example uses every action type")
    func onboardingUsesEveryType() throws {
        let definition = try PipelineFile.load(path: Self.examples.appendingPathComponent("onboarding.yaml").path)
        let used = Set(definition.stages.flatMap(\.actions).compactMap { $0.config.map(Self.typeName) })
        #expect(used == ["email", "sms", "webhook", "wait", "wait_for_reply", "move", "end"])
    }

    @Test("the three-step example is email, wait 0 s, sms")
    func threeStep() throws {
        let definition = try PipelineFile.load(path: Self.examples.appendingPathComponent("three-step.yaml").path)
        let actions = definition.stages.flatMap(\.actions)
        #expect(actions.compactMap { $0.config.map(Self.typeName) } == ["email", "wait", "sms"])
        #expect(actions[1].wait.duration == Google_Protobuf_Duration(seconds: 0, nanos: 0))
        #expect(actions[1].wait.hasDuration)
    }

    @Test("an unreadable file is one problem at 1:1 naming the file")
    func unreadableFile() throws {
        let problems = try #require(throws: PipelineProblems.self) {
            try PipelineFile.load(path: "/nonexistent/pipeline.yaml")
        }
        #expect(problems.problems.count == 1)
        #expect(problems.description.hasPrefix("/nonexistent/pipeline.yaml:1:1: cannot read the file"))
    }

    @Test("YAML becomes the expected protobuf, field by field")
    func roundTrip() throws {
        let yaml = """
            name: demo
            stages:
              - name: welcome
                actions:
                  - email:
                      sender: "Acme <hello@acme.test>"
                      subject: "Hi {{ first_name }}"
                      text: "Plan: {{attributes.plan}}"
                      reply_to: replies@acme.test
                    max_attempts: 4
                  - wait: 1h30m
                  - sms:
                      to: "{{attributes.mobile}}"
                      sender: +15550001111
                      body: Hello
                  - wait_for_reply:
                      channel: sms
                      timeout: 2d
                      on_reply: sales
                      then: next
                  - move: sales
              - name: sales
                actions:
                  - webhook:
                      url: https://crm.example/hooks/lead
                      headers: {X-Source: leadflow}
                  - wait_for_reply: {timeout: 0s, then: welcome}
                  - end
              - name: empty
            """
        var email = Leadflow_V1_EmailAction()
        email.to = "{{email}}"
        email.sender = "Acme <hello@acme.test>"
        email.subject = "Hi {{ first_name }}"
        email.text = "Plan: {{attributes.plan}}"
        email.replyTo = "replies@acme.test"
        var sms = Leadflow_V1_SmsAction()
        sms.to = "{{attributes.mobile}}"
        sms.sender = "+15550001111"
        sms.body = "Hello"
        var reply = Leadflow_V1_WaitForReplyAction()
        reply.channel = .sms
        reply.timeout = Google_Protobuf_Duration(seconds: 172_800, nanos: 0)
        reply.onReplyStage = "sales"
        var webhook = Leadflow_V1_WebhookAction()
        webhook.url = "https://crm.example/hooks/lead"
        webhook.headers = ["X-Source": "leadflow"]
        var quickReply = Leadflow_V1_WaitForReplyAction()
        quickReply.timeout = Google_Protobuf_Duration(seconds: 0, nanos: 0)
        quickReply.onTimeoutStage = "welcome"

        var expected = Leadflow_V1_PipelineDefinition()
        expected.name = "demo"
        expected.stages = [
            Self.stage(
                "welcome",
                [
                    Self.action(.email(email), maxAttempts: 4),
                    Self.action(.wait(.with { $0.duration = Google_Protobuf_Duration(seconds: 5_400, nanos: 0) })),
                    Self.action(.sms(sms)),
                    Self.action(.waitForReply(reply)),
                    Self.action(.move(.with { $0.stage = "sales" })),
                ]),
            Self.stage(
                "sales",
                [Self.action(.webhook(webhook)), Self.action(.waitForReply(quickReply)), Self.action(.end(.init()))]),
            Self.stage("empty", []),
        ]

        let decoded = try PipelineDecoder().decode(yaml: yaml)
        #expect(decoded == expected)
        // `then: next` means "not set", which differs on the wire from an empty stage name.
        #expect(!decoded.stages[0].actions[3].waitForReply.hasOnTimeoutStage)
        #expect(!decoded.stages[0].actions[2].hasMaxAttempts)
        // What ingest receives must survive the binary encoding unchanged.
        #expect(
            try Leadflow_V1_PipelineDefinition(serializedBytes: try decoded.serializedBytes() as [UInt8]) == expected)
    }

    @Test("sms `to` defaults to the lead's phone")
    func smsDefault() throws {
        let decoded = try PipelineDecoder().decode(
            yaml: "name: p\nstages:\n  - name: s\n    actions:\n      - sms: {sender: S, body: b}\n")
        #expect(decoded.stages[0].actions[0].sms.to == "{{phone}}")
    }

    static func stage(_ name: String, _ actions: [Leadflow_V1_Action]) -> Leadflow_V1_Stage {
        .with {
            $0.name = name
            $0.actions = actions
        }
    }

    static func action(_ config: Leadflow_V1_Action.OneOf_Config, maxAttempts: UInt32? = nil) -> Leadflow_V1_Action {
        .with {
            $0.config = config
            if let maxAttempts { $0.maxAttempts = maxAttempts }
        }
    }

    static func typeName(_ config: Leadflow_V1_Action.OneOf_Config) -> String {
        switch config {
        case .email: "email"
        case .sms: "sms"
        case .webhook: "webhook"
        case .wait: "wait"
        case .waitForReply: "wait_for_reply"
        case .move: "move"
        case .end: "end"
        }
    }
}
