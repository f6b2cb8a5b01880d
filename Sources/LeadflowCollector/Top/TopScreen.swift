import Foundation

/// The text `leadflow top` shows: the collector's summary and firing alerts as aligned tables, for an operator
/// without Grafana. Pure: the command fetches, this lays out.
public struct TopScreen: Sendable {
    public var source: String
    public var summary: CollectorSummary
    public var alerts: FiringAlertsDocument

    public init(source: String, summary: CollectorSummary, alerts: FiringAlertsDocument) {
        self.source = source
        self.summary = summary
        self.alerts = alerts
    }

    /// The screen, at most `width` columns wide.
    public func render(width: Int = 120) -> String {
        var lines: [String] = []
        let statistics = summary.statistics
        lines.append(
            "leadflow top — \(source) — \(summary.generatedAt) — window \(Self.number(summary.windowSeconds)) s — "
                + "\(statistics.received) measurements, \(statistics.series) series, \(statistics.malformed) malformed")
        lines.append("")
        let firing = alerts.alerts
        lines.append(firing.isEmpty ? "ALERTS  none firing" : "ALERTS  \(firing.count) firing")
        for alert in firing {
            lines.append("  \(alert.severity.rawValue.uppercased())  \(alert.rule)  \(alert.summary)  since \(alert.startsAt)")
        }
        lines.append(Self.paused(summary.gauges))
        lines.append("")
        let spans = summary.spans.sorted { ($0.component, $0.operation) < ($1.component, $1.operation) }
        lines += Self.table(
            ["OPERATION", "COUNT", "RATE/S", "P50", "P99", "MAX", "ERRORS"],
            spans.map { span in
                [
                    "\(span.component).\(span.operation)", "\(span.count)", Self.number(span.ratePerSecond),
                    Self.duration(span.p50Seconds), Self.duration(span.p99Seconds), Self.duration(span.maxSeconds),
                    Self.percent(span.errorShare),
                ]
            }, rightAligned: 1...6)
        lines.append("")
        lines += Self.table(["GAUGE", "LABELS", "VALUE"], Self.rows(summary.gauges), rightAligned: 2...2)
        lines.append("")
        lines += Self.table(["COUNTER", "LABELS", "TOTAL"], Self.rows(summary.counters), rightAligned: 2...2)
        return lines.map { $0.count > width ? String($0.prefix(width - 1)) + "…" : $0 }.joined(separator: "\n") + "\n"
    }

    /// `PAUSED  acme (all work), globex (sms), initech (pipeline welcome)`: the organizations' pauses in force,
    /// from the schedulers' `scheduler.paused{org,scope}` gauges (1 while a pause holds).
    static func paused(_ gauges: [CollectorSummary.Scalar]) -> String {
        let pauses = gauges.filter { $0.component == "scheduler" && $0.operation == "paused" && $0.value > 0 }
            .map { gauge -> String in
                let scope = gauge.labels["scope"] ?? "all"
                let what =
                    scope == "all"
                    ? "all work" : scope.hasPrefix("pipeline:") ? "pipeline " + scope.dropFirst("pipeline:".count) : scope
                return "\(gauge.labels["org"] ?? "?") (\(what))"
            }
        return pauses.isEmpty ? "PAUSED  nothing" : "PAUSED  " + Set(pauses).sorted().joined(separator: ", ")
    }

    static func rows(_ scalars: [CollectorSummary.Scalar]) -> [[String]] {
        scalars.map { scalar in
            let labels = scalar.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            return ["\(scalar.component).\(scalar.operation)", labels, number(scalar.value)]
        }.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }
    }

    /// Columns padded to their widest cell; `rightAligned` columns (numbers) padded on the left.
    static func table(_ header: [String], _ rows: [[String]], rightAligned: ClosedRange<Int>) -> [String] {
        guard !rows.isEmpty else { return [header[0] + "  (none)"] }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        return ([header] + rows).map { row in
            row.indices.map { column in
                let padding = String(repeating: " ", count: widths[column] - row[column].count)
                return rightAligned.contains(column) ? padding + row[column] : row[column] + padding
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
    }

    static func duration(_ seconds: Double) -> String {
        switch seconds {
        case ..<0.001: String(format: "%.0f µs", seconds * 1_000_000)
        case ..<1: String(format: "%.1f ms", seconds * 1_000)
        default: String(format: "%.2f s", seconds)
        }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.2f", value)
    }

    static func percent(_ share: Double) -> String { String(format: "%.1f%%", share * 100) }
}
