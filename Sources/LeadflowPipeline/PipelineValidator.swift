import Foundation
import LeadflowDomain
import LeadflowProto
import SwiftProtobuf

/// Checks a pipeline definition against the rules the scheduler relies on, whether it came from a YAML file
/// or a `pipeline.upsert` message.
public struct PipelineValidator: Sendable {
    /// One rule a definition breaks, at the path of the offending value.
    public struct Issue: Sendable, Hashable, CustomStringConvertible {
        public var path: PipelinePath
        public var message: String
        /// Where in the value at `path` the problem starts (Unicode scalars), when it is one spot in a template.
        public var offset: Int?

        public init(path: PipelinePath, message: String, offset: Int? = nil) {
            self.path = path
            self.message = message
            self.offset = offset
        }

        public var description: String { "\(path): \(message)" }
    }

    public init() {}

    /// Every issue in `definition`, in definition order; empty when it is valid.
    public func issues(in definition: Leadflow_V1_PipelineDefinition) -> [Issue] {
        var issues: [Issue] = []
        if definition.name.isEmpty {
            issues.append(Issue(path: PipelinePath.root.key("name"), message: "the pipeline needs a name"))
        }
        if definition.stages.isEmpty {
            issues.append(
                Issue(path: PipelinePath.root.key("stages"), message: "the pipeline needs at least one stage"))
        }
        let rules = ActionRules(stageNames: Set(definition.stages.map(\.name)))
        var seen: Set<String> = []
        for (index, stage) in definition.stages.enumerated() {
            let path = PipelinePath.root.key("stages").index(index)
            if stage.name.isEmpty {
                issues.append(Issue(path: path.key("name"), message: "the stage needs a name"))
            } else if stage.name == "next" {
                // `then: next` and `on_reply: next` already mean "carry on", so such a stage could not be targeted.
                issues.append(
                    Issue(
                        path: path.key("name"),
                        message: "`next` is reserved (it means \"the next action\"); rename the stage"))
            } else if !seen.insert(stage.name).inserted {
                issues.append(
                    Issue(
                        path: path.key("name"),
                        message: "duplicate stage name \"\(stage.name)\"; stage names must be unique"))
            }
            for (position, action) in stage.actions.enumerated() {
                issues += rules.issues(in: action, at: path.key("actions").index(position))
            }
            // Everything after a `move` or an `end` is skipped, so an action there is a mistake, not a plan.
            if let exit = stage.actions.firstIndex(where: Self.leavesTheStage), exit + 1 < stage.actions.count {
                let word = if case .end = stage.actions[exit].config { "end" } else { "move" }
                issues.append(
                    Issue(
                        path: path.key("actions").index(exit + 1),
                        message: "this action never runs: the `\(word)` before it leaves the stage"))
            }
        }
        return issues
    }

    private static func leavesTheStage(_ action: Leadflow_V1_Action) -> Bool {
        switch action.config {
        case .move, .end: true
        default: false
        }
    }
}

/// The per-action rules, apart so each action type reads as one short list of requirements.
private struct ActionRules {
    let stageNames: Set<String>

    func issues(in action: Leadflow_V1_Action, at path: PipelinePath) -> [PipelineValidator.Issue] {
        var issues: [PipelineValidator.Issue] = []
        func fail(_ key: String?, _ message: String, offset: Int? = nil) {
            // `key` is a dotted proto path below the action, e.g. `email.subject`.
            let target = key.map { $0.split(separator: ".").reduce(path) { $0.key(String($1)) } } ?? path
            issues.append(.init(path: target, message: message, offset: offset))
        }
        func required(_ value: String, _ type: String, _ field: String) {
            if value.isEmpty { fail("\(type).\(field)", "`\(type)` needs `\(field)`") }
        }
        func template(_ value: String, _ type: String, _ field: String, _ context: TemplateContext) {
            for problem in PipelineTemplate.problems(in: value, context: context) {
                fail("\(type).\(field)", "`\(field)`: \(problem.message)", offset: problem.offset)
            }
        }
        func duration(_ value: Google_Protobuf_Duration?, _ type: String, _ field: String) {
            guard let value else { return fail("\(type).\(field)", "`\(type)` needs `\(field)`") }
            if value.seconds < 0 || value.nanos < 0 {
                fail("\(type).\(field)", "`\(field)` must not be negative")
            }
        }
        func stage(_ name: String?, _ type: String, _ field: String, _ key: String) {
            guard let name else { return }
            if name.isEmpty { return fail("\(type).\(field)", "`\(key)` needs a stage name") }
            if !stageNames.contains(name) {
                fail(
                    "\(type).\(field)",
                    "`\(key)` names unknown stage \"\(name)\"\(Suggestion.hint(for: name, in: stageNames.sorted())); "
                        + "stages: \(stageNames.filter { !$0.isEmpty }.sorted().joined(separator: ", "))")
            }
        }

        if action.hasMaxAttempts {
            if action.maxAttempts == 0 { fail("max_attempts", "`max_attempts` must be at least 1") }
            switch action.config {
            case .email, .sms, .webhook, nil: break
            default: fail("max_attempts", "`max_attempts` applies only to email, sms and webhook actions")
            }
        }
        switch action.config {
        case nil:
            fail(
                nil,
                "the action has no type; known types: \(ActionType.allCases.map(\.rawValue).joined(separator: ", "))")
        case .email(let email):
            template(email.to, "email", "to", .singleLine)
            required(email.sender, "email", "sender")
            required(email.subject, "email", "subject")
            template(email.subject, "email", "subject", .singleLine)
            required(email.text, "email", "text")
            template(email.text, "email", "text", .plainText)
            if email.hasHtml { template(email.html, "email", "html", .html) }
        case .sms(let sms):
            template(sms.to, "sms", "to", .singleLine)
            required(sms.sender, "sms", "sender")
            required(sms.body, "sms", "body")
            template(sms.body, "sms", "body", .singleLine)
        case .webhook(let webhook):
            if webhook.url.isEmpty {
                fail("webhook.url", "`webhook` needs `url`")
            } else if !Self.isAbsoluteHTTP(PipelineTemplate.placeholdersFilled(webhook.url)) {
                fail("webhook.url", "`webhook` url \"\(webhook.url)\" must be an absolute http:// or https:// URL")
            } else {
                template(webhook.url, "webhook", "url", .url)
            }
            if webhook.hasBody {
                let contentType = webhook.headers.first { $0.key.lowercased() == "content-type" }?.value
                template(webhook.body, "webhook", "body", .webhookBody(contentType: contentType))
            }
            for (name, value) in webhook.headers {
                if name.isEmpty || name.contains(where: { $0 == ":" || $0.isWhitespace }) {
                    fail("webhook.headers", "webhook header name \"\(name)\" is not a valid HTTP header name")
                } else if value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) {
                    // A line break would end the header and start another one.
                    fail("webhook.headers", "webhook header \"\(name)\" has a line break or control character in its value")
                }
            }
        case .wait(let wait):
            duration(wait.hasDuration ? wait.duration : nil, "wait", "duration")
        case .waitForReply(let wait):
            duration(wait.hasTimeout ? wait.timeout : nil, "wait_for_reply", "timeout")
            if case .UNRECOGNIZED(let value) = wait.channel {
                fail("wait_for_reply.channel", "unknown channel \(value)")
            }
            stage(wait.hasOnReplyStage ? wait.onReplyStage : nil, "wait_for_reply", "on_reply_stage", "on_reply")
            stage(wait.hasOnTimeoutStage ? wait.onTimeoutStage : nil, "wait_for_reply", "on_timeout_stage", "then")
        case .move(let move):
            stage(move.stage, "move", "stage", "move")
        case .end:
            break
        }
        return issues
    }

    static func isAbsoluteHTTP(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host else {
            return false
        }
        return (scheme == "http" || scheme == "https") && !host.isEmpty
    }
}
