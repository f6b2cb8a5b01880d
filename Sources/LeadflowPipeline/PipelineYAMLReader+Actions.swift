import LeadflowProto
import Yams

/// Actions: one list item each, either the bare word `end` or a mapping with exactly one action-type key
/// (plus an optional `max_attempts`).
extension PipelineYAMLReader {
    static let configKeys: [String: [String]] = [
        "email": ["to", "sender", "subject", "text", "html", "reply_to"],
        "sms": ["to", "sender", "body"],
        "webhook": ["url", "headers", "body"],
        "wait_for_reply": ["channel", "timeout", "on_reply", "then"],
    ]

    /// YAML keys whose proto field is named differently.
    static let protoField = ["on_reply": "on_reply_stage", "then": "on_timeout_stage"]

    /// What an action-type word missing its value should look like, for messages.
    static let examples: [String: String] = [
        "email": "email: {sender, subject, text}", "sms": "sms: {sender, body}", "webhook": "webhook: {url}",
        "wait": "wait: 2d", "wait_for_reply": "wait_for_reply: {channel, timeout, then}", "move": "move: <stage>",
    ]

    mutating func action(from node: Node, path: PipelinePath) -> Leadflow_V1_Action {
        var action = Leadflow_V1_Action()
        record(node, at: path)
        let known = Self.actionTypes.joined(separator: ", ")
        switch node {
        case .scalar(let scalar) where scalar.string == "end":
            action.end = Leadflow_V1_EndAction()
        case .scalar(let scalar):
            if let example = Self.examples[scalar.string] {
                report("`\(scalar.string)` needs a value: \(example)", at: node, path: path)
            } else {
                report(
                    "unknown action type \"\(scalar.string)\"\(Suggestion.hint(for: scalar.string, in: Self.actionTypes)); "
                        + "known types: \(known)", at: node, path: path)
            }
        case .sequence:
            report("expected an action (e.g. `email: …`, `wait: 2d`, `end`), found a list", at: node, path: path)
        case .mapping(let mapping):
            var type: (name: String, key: Node, value: Node)?
            for (key, value) in mapping {
                let name = key.scalar?.string ?? ""
                if name == "max_attempts" {
                    maxAttempts(value, into: &action, path: path.key("max_attempts"))
                } else if Self.actionTypes.contains(name) {
                    if let type {
                        report(
                            "an action has exactly one type; found `\(type.name)` and `\(name)`", at: key, path: path)
                    } else {
                        type = (name, key, value)
                    }
                } else if let owner = mapping.compactMap({ $0.key.scalar?.string }).first(where: {
                    Self.configKeys[$0]?.contains(name) ?? false
                }) {
                    // The usual cause: the config's keys indented at the level of the action-type key.
                    // Reported at the field's own path, so the validator does not also call it missing.
                    report(
                        "`\(name)` belongs inside `\(owner)`: indent it under `\(owner):`", at: key,
                        path: path.key(owner).key(Self.protoField[name] ?? name))
                } else {
                    report(
                        "unknown action type \"\(name)\"\(Suggestion.hint(for: name, in: Self.actionTypes)); "
                            + "known types: \(known)", at: key, path: path)
                }
            }
            if let type {
                // Missing fields are reported at the action-type key, where a reader looks for them.
                record(type.key, at: path.key(type.name))
                config(type.name, type.value, into: &action, path: path)
            } else if mapping.isEmpty {
                report("empty action; known types: \(known)", at: node, path: path)
            }
        }
        return action
    }

    private mutating func maxAttempts(_ node: Node, into action: inout Leadflow_V1_Action, path: PipelinePath) {
        guard let text = string(node, "max_attempts", path: path) else { return }
        guard let value = UInt32(text) else {
            return report(
                "`max_attempts` must be a whole number of at least 1, found \"\(text)\"", at: node, path: path)
        }
        action.maxAttempts = value
    }

    private mutating func config(
        _ type: String, _ node: Node, into action: inout Leadflow_V1_Action, path: PipelinePath
    ) {
        let configPath = path.key(type)
        // The type is known even when its value is unusable, so the validator does not call it missing.
        action.config = Self.emptyConfig(type)
        switch type {
        case "wait":
            var wait = Leadflow_V1_WaitAction()
            if let duration = duration(node, "wait", path: configPath.key("duration")) { wait.duration = duration }
            action.wait = wait
        case "move":
            var move = Leadflow_V1_MoveAction()
            move.stage = string(node, "move", path: configPath.key("stage")) ?? ""
            action.move = move
        case "end":
            if case .scalar(let scalar) = node, scalar.isNull {
                action.end = Leadflow_V1_EndAction()
            } else {
                report("`end` takes no value; write `- end`", at: node, path: configPath)
            }
        default:
            // `email:` with nothing after it reads as an empty config, so the missing fields are listed.
            let fields: [String: Node]
            if case .scalar(let scalar) = node, scalar.isNull {
                fields = [:]
            } else if let read = self.fields(
                of: node, allowed: Self.configKeys[type] ?? [], in: "`\(type)`", path: configPath)
            {
                fields = read
            } else {
                return
            }
            mappedConfig(type, fields, into: &action, path: configPath)
        }
    }

    static func emptyConfig(_ type: String) -> Leadflow_V1_Action.OneOf_Config? {
        switch type {
        case "email": .email(.init())
        case "sms": .sms(.init())
        case "webhook": .webhook(.init())
        case "wait": .wait(.init())
        case "wait_for_reply": .waitForReply(.init())
        case "move": .move(.init())
        case "end": .end(.init())
        default: nil
        }
    }

    private mutating func mappedConfig(
        _ type: String, _ fields: [String: Node], into action: inout Leadflow_V1_Action, path: PipelinePath
    ) {
        func text(_ key: String) -> String? {
            fields[key].flatMap { string($0, key, path: path.key(Self.protoField[key] ?? key)) }
        }
        switch type {
        case "email":
            var email = Leadflow_V1_EmailAction()
            // Spelled out so the stored definition says where the email goes without knowing the default.
            email.to = text("to").flatMap { $0.isEmpty ? nil : $0 } ?? "{{email}}"
            email.sender = text("sender") ?? ""
            email.subject = text("subject") ?? ""
            email.text = text("text") ?? ""
            if let html = text("html") { email.html = html }
            if let replyTo = text("reply_to") { email.replyTo = replyTo }
            action.email = email
        case "sms":
            var sms = Leadflow_V1_SmsAction()
            sms.to = text("to").flatMap { $0.isEmpty ? nil : $0 } ?? "{{phone}}"
            sms.sender = text("sender") ?? ""
            sms.body = text("body") ?? ""
            action.sms = sms
        case "webhook":
            var webhook = Leadflow_V1_WebhookAction()
            webhook.url = text("url") ?? ""
            if let body = text("body") { webhook.body = body }
            if let headers = fields["headers"] { webhook.headers = self.headers(headers, path: path.key("headers")) }
            action.webhook = webhook
        default:
            var wait = Leadflow_V1_WaitForReplyAction()
            if let channel = fields["channel"], let name = string(channel, "channel", path: path.key("channel")) {
                switch name {
                case "email": wait.channel = .email
                case "sms": wait.channel = .sms
                case "any", "": wait.channel = .unspecified
                default:
                    report(
                        "unknown channel \"\(name)\"; expected email, sms or any", at: channel,
                        path: path.key("channel"))
                }
            }
            if let timeout = fields["timeout"], let value = duration(timeout, "timeout", path: path.key("timeout")) {
                wait.timeout = value
            }
            // `next` (or nothing) leaves the target unset: the lead continues with the next action.
            if let stage = text("on_reply"), stage != "next" { wait.onReplyStage = stage }
            if let stage = text("then"), stage != "next" { wait.onTimeoutStage = stage }
            action.waitForReply = wait
        }
    }

    private mutating func headers(_ node: Node, path: PipelinePath) -> [String: String] {
        guard case .mapping(let mapping) = node else {
            report(
                "`headers` must be a mapping of header names to values, found \(node.kindName)", at: node, path: path)
            return [:]
        }
        var headers: [String: String] = [:]
        for (key, value) in mapping {
            guard let name = string(key, "headers", path: path), let text = string(value, name, path: path.key(name))
            else { continue }
            headers[name] = text
        }
        return headers
    }
}
