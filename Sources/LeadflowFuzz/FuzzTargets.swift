/// Every fuzz target, by name: the list the replayer, the libFuzzer entry point and scripts/fuzz.sh share.
enum FuzzTargets {
    static let all: [FuzzTarget] = [
        .subject, .headers, .envelope, .ack, .ingest, .pipeline, .template, .rules, .retryAfter, .httpResponse,
        .smtpReply,
    ]

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}
