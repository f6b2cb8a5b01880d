import Foundation
import LeadflowBus
import LeadflowPipeline
import LeadflowProto
import SwiftProtobuf

/// The seed corpora: valid inputs built with the real encoders, and near-valid ones one edit away from a rule,
/// so that libFuzzer starts at the interesting edges instead of at random bytes. `leadflow-fuzz seed` writes them
/// to Fuzz/corpus (committed); the YAML seeds are the repository's own example files.
enum FuzzSeeds {
    /// Writes `<directory>/<target>/<name>` for every seed; run from the repository root (it reads examples/ and
    /// deploy/).
    static func write(into directory: URL) throws {
        for (target, seeds) in try all() {
            let folder = directory.appendingPathComponent(target)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (name, bytes) in seeds {
                try Data(bytes).write(to: folder.appendingPathComponent(name))
            }
            print("\(target): \(seeds.count) seeds")
        }
    }

    static func all() throws -> [(String, [(String, [UInt8])])] {
        [
            ("subject", subjects.map { ($0, Array($1.utf8)) }),
            ("headers", headerBlocks.map { ($0, Array($1.utf8)) }),
            ("envelope", try envelopes()),
            ("ack", acks),
            ("ingest", try ingestRequests()),
            ("pipeline", try yamlFiles(in: "examples/pipelines") + pipelineEdges.map { ($0, Array($1.utf8)) }),
            ("template", templates),
            ("rules", try yamlFiles(at: ["deploy/collector-rules.yaml"]) + ruleEdges.map { ($0, Array($1.utf8)) }),
            ("retry-after", retryAfters.map { ($0, Array($1.utf8)) }),
            ("http-response", httpResponses.map { ($0, Array($1.utf8)) }),
            ("smtp-reply", smtpReplies.map { ($0, Array($1.utf8)) }),
        ]
    }

    static let subjects: [(String, String)] = [
        ("upsert", "lead.upsert.acme"), ("enroll", "lead.enroll.org-1"), ("pipeline", "pipeline.upsert.acme"),
        ("metrics", "metrics.ingest.batch_commit"), ("action", "action.email"), ("result", "result.webhook"),
        ("full-wildcard", "lead.>"), ("token-wildcard", "lead.*.acme"), ("star", "*"), ("gt", ">"),
        ("empty-token", "lead..acme"), ("trailing-dot", "lead.upsert."), ("space", "lead.up sert.acme"),
        ("tab", "lead.upsert.\tacme"), ("wildcard-inside", "lead.up*.acme"), ("gt-not-last", "lead.>.acme"),
        ("max-length", "lead.upsert." + String(repeating: "o", count: 243)),
        ("too-long", "lead.upsert." + String(repeating: "o", count: 244)),
        ("utf8", "lead.upsert.caf\u{E9}"),
    ]

    static let headerBlocks: [(String, String)] = [
        ("msg-id", "NATS/1.0\r\nNats-Msg-Id: m-1\r\n\r\n"),
        ("json", "NATS/1.0\r\nNats-Msg-Id: m-2\r\nContent-Type: application/json\r\n\r\n"),
        ("stream", "NATS/1.0\r\nContent-Type: application/x-protobuf-delimited\r\n\r\n"),
        ("traceparent", "NATS/1.0\r\nTraceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n\r\n"),
        ("status", "NATS/1.0 503 No Responders\r\n\r\n"), ("status-only", "NATS/1.0 404\r\n\r\n"),
        ("repeated", "NATS/1.0\r\nX-A: 1\r\nx-a: 2\r\nLeadflow-Attempt: 3\r\n\r\n"), ("empty-block", "NATS/1.0\r\n\r\n"),
        ("bad-version", "NATS/2.0\r\n\r\n"), ("no-colon", "NATS/1.0\r\nNats-Msg-Id m-1\r\n\r\n"),
        ("bare-lf", "NATS/1.0\nNats-Msg-Id: m-1\n\n"), ("unterminated", "NATS/1.0\r\nNats-Msg-Id: m-1\r\n"),
        ("folded", "NATS/1.0\r\nX-A: 1\r\n 2\r\n\r\n"), ("trailing", "NATS/1.0\r\nX-A: 1\r\n\r\nextra"),
        ("bad-status", "NATS/1.0 5x3 Oops\r\n\r\n"), ("empty-value", "NATS/1.0\r\nX-A:\r\n\r\n"),
        ("control-in-value", "NATS/1.0\r\nX-A: a\u{1}b\r\n\r\n"),
    ]

    static func envelopes() throws -> [(String, [UInt8])] {
        let subject = Array("lead.upsert.acme".utf8)
        let headers = Array("NATS/1.0\r\nNats-Msg-Id: m-1\r\n\r\n".utf8)
        let upsert = try Self.upsert.serializedBytes() as [UInt8]
        var stream = DelimitedStream()
        try stream.append(Self.upsert)
        try stream.append(Self.enroll)
        let streamHeaders = Array("NATS/1.0\r\nContent-Type: application/x-protobuf-delimited\r\n\r\n".utf8)
        return [
            ("protobuf", FuzzFrames.join([subject, headers, upsert])),
            ("no-headers", FuzzFrames.join([subject, [], upsert])),
            ("json", FuzzFrames.join([subject, Array(headerBlocks[1].1.utf8), try Self.upsert.jsonUTF8Bytes() as [UInt8]])),
            ("stream", FuzzFrames.join([Array("lead.enroll.acme".utf8), streamHeaders, stream.bytes])),
            ("stream-cut", FuzzFrames.join([Array("lead.enroll.acme".utf8), streamHeaders, stream.bytes.dropLast(3).map { $0 }])),
            ("two-frames", FuzzFrames.join([subject, headers])),
            ("four-frames", FuzzFrames.join([subject, headers, upsert, upsert])),
            ("bad-content-type", FuzzFrames.join([subject, Array("NATS/1.0\r\nContent-Type: text/xml\r\n\r\n".utf8), upsert])),
        ]
    }

    static let acks: [(String, [UInt8])] = [
        ("ok", FuzzFrames.join([Array("+OK".utf8), Array("m-1".utf8)])),
        ("error", FuzzFrames.join([Array("-ERR".utf8), Array("m-1".utf8), Array("Invalid Payload: external_id is required".utf8)])),
        ("ok-three-frames", FuzzFrames.join([Array("+OK".utf8), Array("m-1".utf8), Array("x".utf8)])),
        ("error-two-frames", FuzzFrames.join([Array("-ERR".utf8), Array("m-1".utf8)])),
        ("lowercase", FuzzFrames.join([Array("+ok".utf8), Array("m-1".utf8)])),
        ("invalid-utf8", FuzzFrames.join([Array("+OK".utf8), [0xFF, 0xC0, 0x80]])),
    ]

    static let upsert: Leadflow_V1_LeadUpsert = .with {
        $0.externalID = "crm-1"
        $0.email = "ada@example.com"
        $0.firstName = "Ada"
        $0.attributes = ["plan": "pro"]
    }
    static let enroll: Leadflow_V1_LeadEnroll = .with {
        $0.externalID = "crm-1"
        $0.pipeline = "onboarding"
    }

    /// One valid request per ingest subject kind, and the near misses ingest answers with each `-ERR` reason.
    static func ingestRequests() throws -> [(String, [UInt8])] {
        let pipeline = try PipelineDecoder().decode(yaml: String(contentsOfFile: "examples/pipelines/three-step.yaml", encoding: .utf8))
        let requests: [(String, String, any SwiftProtobuf.Message)] = [
            ("upsert", "lead.upsert.acme", upsert),
            ("enroll", "lead.enroll.acme", enroll),
            ("reply", "lead.reply.acme", Leadflow_V1_LeadReply.with { $0.externalID = "crm-1"; $0.channel = .email; $0.text = "yes" }),
            ("unsubscribe", "lead.unsubscribe.acme", Leadflow_V1_LeadUnsubscribe.with { $0.externalID = "crm-1"; $0.channel = .sms }),
            ("delete", "lead.delete.acme", Leadflow_V1_LeadDelete.with { $0.externalID = "crm-1" }),
            ("pipeline", "pipeline.upsert.acme", pipeline),
            ("unknown-kind", "lead.merge.acme", upsert),
            ("no-external-id", "lead.upsert.acme", Leadflow_V1_LeadUpsert.with { $0.email = "a@b.c" }),
        ]
        let headers = Array(headerBlocks[0].1.utf8)
        var seeds: [(String, [UInt8])] = try requests.map { name, subject, message in
            (name, FuzzFrames.join([Array(subject.utf8), headers, try message.serializedBytes()]))
        }
        let upsertBytes: [UInt8] = try upsert.serializedBytes()
        seeds += [
            ("json", FuzzFrames.join([Array("lead.upsert.acme".utf8), Array(headerBlocks[1].1.utf8), try upsert.jsonUTF8Bytes() as [UInt8]])),
            ("traceparent", FuzzFrames.join([
                Array("lead.upsert.acme".utf8),
                Array("NATS/1.0\r\nNats-Msg-Id: m-3\r\nTraceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n\r\n".utf8),
                upsertBytes,
            ])),
            ("bad-traceparent", FuzzFrames.join([
                Array("lead.upsert.acme".utf8), Array("NATS/1.0\r\nNats-Msg-Id: m-4\r\nTraceparent: 00-zz\r\n\r\n".utf8), upsertBytes,
            ])),
            ("no-msg-id", FuzzFrames.join([Array("lead.upsert.acme".utf8), [], upsertBytes])),
            ("two-tokens", FuzzFrames.join([Array("lead.upsert".utf8), headers, upsertBytes])),
            ("garbage-payload", FuzzFrames.join([Array("lead.enroll.acme".utf8), headers, [0x0A, 0xFF, 0xFF, 0xFF]])),
        ]
        return seeds
    }

    static func yamlFiles(in folder: String) throws -> [(String, [UInt8])] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yaml") }.sorted()
        return try yamlFiles(at: names.map { "\(folder)/\($0)" })
    }

    static func yamlFiles(at paths: [String]) throws -> [(String, [UInt8])] {
        try paths.map { path in
            (URL(fileURLWithPath: path).lastPathComponent, Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        }
    }

    static let pipelineEdges: [(String, String)] = [
        ("minimal", "name: p\nstages:\n  - name: s\n    actions:\n      - end\n"),
        ("unknown-key", "name: p\ncolour: red\nstages:\n  - name: s\n    actions:\n      - wait: 1h\n"),
        ("bad-duration", "name: p\nstages:\n  - name: s\n    actions:\n      - wait: 1x\n"),
        ("move-nowhere", "name: p\nstages:\n  - name: s\n    actions:\n      - move: t\n"),
        ("unsafe-template", "name: p\nstages:\n  - name: s\n    actions:\n      - webhook:\n          url: \"https://x/\"\n          body: '{\"{{email}}\": 1}'\n"),
        ("anchors", "name: &n p\nstages:\n  - &s {name: s, actions: [end]}\n"),
        ("flow", "{name: p, stages: [{name: s, actions: [{sms: {sender: '+1', body: '{{phone}}'}}]}]}"),
        ("tab-indent", "name: p\nstages:\n\t- name: s\n"),
    ]

    static let ruleEdges: [(String, String)] = [
        ("minimal", "rules:\n  - name: r\n    kind: duration\n    percentile: p99\n    above: 100ms\n"),
        ("share", "rules:\n  - name: r\n    kind: ratio\n    above: 5%\n    for: 1m\n"),
        ("bad-duration", "slow_operations:\n  warning: 100 ms\n"),
        ("empty", ""),
    ]

    /// The first byte selects the context: 0 plain text, 1 single line, 2 HTML, 3 JSON, 4 URL, 5 form.
    static let templates: [(String, [UInt8])] = {
        let hostile = ["ada@example.com\r\nBcc: x@evil.test", "+1555\u{2028}", "<script>alert(1)</script>", "\"},\"x\":1,\"y\":\"", "a&b=c d/?#", "\u{0}\u{85}\\"]
        let cases: [(String, UInt8, String)] = [
            ("text", 0, "Hi {{first_name}},\nthanks for {{attributes.a}}."),
            ("line", 1, "Welcome to Acme, {{first_name}} {{last_name}}"),
            ("html", 2, "<p>Hi {{first_name}}</p><a href=\"https://acme.test/u?e={{email}}\" title='{{last_name}}'>x</a>"),
            ("html-unquoted", 2, "<a href={{email}}>x</a>"),
            ("html-script", 2, "<script>var n = '{{first_name}}';</script>"),
            ("json", 3, "{\"email\": \"{{email}}\", \"n\": [1, \"{{phone}} {{attributes.a}}\"], \"o\": {\"k\": \"\\u0041{{external_id}}\"}}"),
            ("json-key", 3, "{\"{{email}}\": 1}"),
            ("json-bare", 3, "{\"n\": {{phone}}}"),
            ("url", 4, "https://crm.example/hooks/{{external_id}}?e={{email}}#{{attributes.a}}"),
            ("url-host", 4, "https://{{first_name}}.example/"),
            ("form", 5, "email={{email}}&name={{first_name}}"),
            ("braces", 0, "{{ unclosed {{email}} }} {{nope}}"),
        ]
        return cases.map { name, context, template in
            (name, [context] + FuzzFrames.join([Array(template.utf8)] + hostile.map { Array($0.utf8) }))
        }
    }()

    static let retryAfters: [(String, String)] = [
        ("seconds", "120"), ("zero", "0"), ("imf-fixdate", "Wed, 21 Oct 2015 07:28:00 GMT"),
        ("rfc850", "Sunday, 06-Nov-94 08:49:37 GMT"), ("asctime", "Sun Nov  6 08:49:37 1994"),
        ("negative", "-1"), ("huge", "99999999999999999999999999"), ("spaces", "  30  "), ("fraction", "1.5"),
        ("future", "Fri, 31 Dec 2999 23:59:59 GMT"), ("far-past", "Thu, 01 Jan 1970 00:00:00 GMT"),
    ]

    static let httpResponses: [(String, String)] = [
        ("ok", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n"),
        ("rate-limited", "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 30\r\n\r\n"),
        ("unavailable-date", "HTTP/2 503\r\nretry-after: Wed, 21 Oct 2015 07:28:00 GMT\r\n\r\n"),
        ("continue", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nLocation: /x\r\n\r\n"),
        ("folded", "HTTP/1.1 503 Busy\r\nRetry-After:\r\n  120\r\nX-A: 1\r\n\r\n"),
        ("redirect", "HTTP/1.1 301 Moved\r\nLocation: https://elsewhere.test/\r\n\r\n"),
        ("timeout", "HTTP/1.0 408 Request Timeout\r\nRetry-After: soon\r\n\r\n"),
        ("no-colon", "HTTP/1.1 500 Oops\r\nRetry-After 5\r\n\r\n"), ("bare-lf", "HTTP/1.1 404 Not Found\nX-A: b\n\n"),
    ]

    static let smtpReplies: [(String, String)] = [
        ("postfix", "250 2.0.0 Ok: queued as 4F2C1A2B3\r\n"), ("exim", "250 OK id=1rX2Ab-0004cd-7Q\r\n"),
        ("ehlo", "250-mail.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n"),
        ("greylisted", "451 4.7.1 Greylisted, try again later\r\n"), ("unknown-user", "550 5.1.1 <x@y>: Recipient address rejected\r\n"),
        ("data", "354 End data with <CR><LF>.<CR><LF>\r\n"), ("multiline-error", "550-5.7.1 Blocked\r\n550 5.7.1 See https://x\r\n"),
        ("queued-paren", "250 Ok (queued as ABC)\r\n"), ("short", "25\r\n"), ("no-text", "250\r\n"),
    ]
}
