import Foundation

/// The body of Alertmanager's `POST /api/v2/alerts`: a JSON array of alerts, each with `labels` (`alertname`,
/// `severity` and the alert's labels), `annotations` (`summary`, `value`, `threshold`), `startsAt`, `endsAt`
/// (set when resolved) and `generatorURL`.
public struct AlertmanagerPayload: Sendable, Hashable, Codable {
    /// One alert of the array, in Alertmanager's field names.
    public struct Alert: Sendable, Hashable, Codable {
        public var labels: [String: String]
        public var annotations: [String: String]
        public var startsAt: String
        public var endsAt: String?
        public var generatorURL: String
    }

    public var alerts: [Alert]

    /// The payload for `transitions`; `generatorURL` links back to the collector (e.g. its `/alerts` page).
    public init(_ transitions: [AlertTransition], generatorURL: String) {
        alerts = transitions.map { Self.alert($0.alert, endedAt: $0.endedAt, generatorURL: generatorURL) }
    }

    /// The payload that re-announces alerts still firing (Alertmanager forgets alerts not re-sent within its
    /// `resolve_timeout`).
    public init(firing: [FiringAlert], generatorURL: String) {
        alerts = firing.map { Self.alert($0, endedAt: nil, generatorURL: generatorURL) }
    }

    private static func alert(_ alert: FiringAlert, endedAt: Date?, generatorURL: String) -> Alert {
        var labels = alert.labels
        labels["alertname"] = alert.rule
        labels["severity"] = alert.severity.rawValue
        return Alert(
            labels: labels,
            annotations: [
                "summary": alert.summary, "value": alert.unit.format(alert.value),
                "threshold": alert.unit.format(alert.threshold),
            ],
            startsAt: RFC3339.string(alert.startedAt), endsAt: endedAt.map(RFC3339.string),
            generatorURL: generatorURL)
    }

    /// The JSON array, keys sorted.
    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(alerts)) ?? Data("[]".utf8)
    }

    public init(from decoder: any Decoder) throws {
        alerts = try [Alert](from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try alerts.encode(to: encoder)
    }
}
