/// Renders a snapshot in the Prometheus text exposition format 0.0.4, for `/metrics`.
///
/// Families are named for what they measure, with the component and operation as labels, so one query
/// aggregates across components (`sum by (component) (rate(leadflow_operation_duration_seconds_count[1m]))`):
/// every span series feeds the histogram `leadflow_operation_duration_seconds{component,operation}` (cumulative
/// since the collector started, fixed buckets from 1 ms to 5 min) and the counters
/// `leadflow_operation_outcomes_total{…,outcome}`, `leadflow_operation_items_total` and
/// `leadflow_operation_db_queries_total`; a counter measurement `<component>.<operation>` becomes
/// `leadflow_<operation>_total{component,…}`, a gauge `leadflow_<operation>{component,…}`, with the series'
/// dimensions as further labels; the collector's own counts come last. Names are lower-cased and every
/// character outside `[a-z0-9_]` becomes `_`; a family whose name another family already took is left out
/// rather than merged. docs/observability.md lists the families.
public enum PrometheusExposition {
    /// The `Content-Type` of the rendered text.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    static let duration = "leadflow_operation_duration_seconds"
    static let outcomes = "leadflow_operation_outcomes_total"
    static let items = "leadflow_operation_items_total"
    static let dbQueries = "leadflow_operation_db_queries_total"

    public static func render(_ snapshot: MetricsSnapshot) -> String {
        var output = Output()
        let statistics = snapshot.statistics
        let own: [(String, String, String, String)] = [
            ("leadflow_collector_measurements_received_total", "counter", "Measurements the collector received.",
             String(statistics.received)),
            ("leadflow_collector_measurements_malformed_total", "counter",
             "Measurements the collector rejected as malformed.", String(statistics.malformed)),
            ("leadflow_collector_dropped_series_total", "counter",
             "Measurements left out because their series would exceed the series limit.",
             String(statistics.droppedSeries)),
            ("leadflow_collector_series", "gauge", "Series the collector holds.", String(statistics.series)),
        ]
        // The collector's own names and the span families come first: a measured series cannot shadow them.
        output.taken.formUnion(own.map(\.0))
        _ = output.claim(duration, also: [duration + "_bucket", duration + "_sum", duration + "_count"])
        _ = output.claim(outcomes)
        _ = output.claim(items)
        _ = output.claim(dbQueries)
        let spans = snapshot.spans
        if !spans.isEmpty {
            output.header(duration, "Duration of each component's operations, since the collector started.", "histogram")
            for span in spans {
                let labels = spanLabels(span.key)
                for (bound, count) in zip(CumulativeHistogram.bounds, span.cumulative.cumulativeCounts) {
                    output.sample(duration + "_bucket", labels.merging(["le": number(bound)]) { $1 }, count: count)
                }
                output.sample(duration + "_bucket", labels.merging(["le": "+Inf"]) { $1 }, count: span.cumulative.count)
                output.sample(duration + "_sum", labels, number(span.cumulative.sum))
                output.sample(duration + "_count", labels, count: span.cumulative.count)
            }
            output.header(outcomes, "Operations by outcome, since the collector started.", "counter")
            for span in spans {
                for (outcome, count) in span.cumulativeOutcomes.sorted(by: { $0.key < $1.key }) {
                    var labels = spanLabels(span.key)
                    if !outcome.isEmpty { labels["outcome"] = outcome }
                    output.sample(outcomes, labels, count: count)
                }
            }
            output.header(items, "Items the operations handled (their item_count), since the collector started.", "counter")
            for span in spans { output.sample(items, spanLabels(span.key), count: span.cumulative.items) }
            output.header(dbQueries, "Database queries the operations ran, since the collector started.", "counter")
            for span in spans { output.sample(dbQueries, spanLabels(span.key), count: span.cumulative.dbQueries) }
        }
        scalarFamilies(snapshot.counters, suffix: "_total", type: "counter", help: "Total of", into: &output)
        scalarFamilies(snapshot.gauges, suffix: "", type: "gauge", help: "Last reading of", into: &output)
        for (name, type, help, value) in own {
            output.header(name, help, type)
            output.sample(name, [:], value)
        }
        return output.text
    }

    /// One family per operation name, across components (`component` is a label).
    private static func scalarFamilies(
        _ series: [ScalarFigures], suffix: String, type: String, help: String, into output: inout Output
    ) {
        let byOperation = Dictionary(grouping: series) { "leadflow_" + sanitised($0.key.operation) + suffix }
        for name in byOperation.keys.sorted() {
            guard output.claim(name) else { continue }
            let members = byOperation[name]!
            let operations = Set(members.map(\.key.operation)).sorted().joined(separator: ", ")
            output.header(name, "\(help) \(operations), by component.", type)
            var seen: Set<[String: String]> = []
            for figures in members {
                let labels = labels(figures.key)
                // Two dimensions that sanitise to the same labels would be one series twice: keep the first.
                guard seen.insert(labels).inserted else { continue }
                output.sample(name, labels, number(figures.value))
            }
        }
    }

    static func spanLabels(_ key: SpanKey) -> [String: String] {
        ["component": key.component, "operation": key.operation]
    }

    // MARK: Names and values

    /// Lower case, `[a-z0-9_]` only.
    static func sanitised(_ text: String) -> String {
        String(
            text.lowercased().unicodeScalars.map { scalar in
                scalar.isASCII && (("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)) ? Character(scalar) : "_"
            })
    }

    /// The series' labels: `component`, `org`, `action_type`, `outcome` and its attributes, names sanitised; an
    /// attribute whose name is reserved or taken (`le`, `quantile`, `component`, `org`, …) is prefixed `attr_`.
    static func labels(_ key: SeriesKey) -> [String: String] {
        var labels: [String: String] = ["component": key.component]
        for (name, value) in [("org", key.org), ("action_type", key.actionType), ("outcome", key.outcome)]
        where !value.isEmpty {
            labels[name] = value
        }
        for (name, value) in key.attributes.sorted(by: { $0.key < $1.key }) {
            var label = sanitised(name)
            if label.first.map({ $0.isNumber }) ?? true || label.hasPrefix("__") || ["le", "quantile"].contains(label)
                || labels[label] != nil
            {
                label = "attr_" + label
            }
            if labels[label] == nil { labels[label] = value }
        }
        return labels
    }

    /// A sample value: whole numbers without a fraction, `+Inf`, `-Inf`, `NaN` as Prometheus writes them.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func escapedLabelValue(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func escapedHelp(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// The text being built and the names already taken.
    private struct Output {
        var text = ""
        var taken: Set<String> = []

        /// Takes `name` (and the sample names derived from it) for one family; false when any is taken.
        mutating func claim(_ name: String, also derived: [String] = []) -> Bool {
            let names = [name] + derived
            guard names.allSatisfy({ !taken.contains($0) }) else { return false }
            taken.formUnion(names)
            return true
        }

        mutating func header(_ name: String, _ help: String, _ type: String) {
            text += "# HELP \(name) \(escapedHelp(help))\n# TYPE \(name) \(type)\n"
        }

        mutating func sample(_ name: String, _ labels: [String: String], count: UInt64) {
            sample(name, labels, String(count))
        }

        mutating func sample(_ name: String, _ labels: [String: String], _ value: String) {
            text += name
            if !labels.isEmpty {
                let pairs = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(escapedLabelValue($0.value))\"" }
                text += "{" + pairs.joined(separator: ",") + "}"
            }
            text += " \(value)\n"
        }
    }
}
