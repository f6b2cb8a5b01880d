/// Renders a snapshot in the Prometheus text exposition format 0.0.4, for `/metrics`.
///
/// Span series become histograms `leadflow_<component>_<operation>_seconds` (cumulative since the collector
/// started, fixed buckets from 1 ms to 10 s) with a counter `…_outcomes_total{outcome}`; counters become
/// `leadflow_<component>_<operation>_total`, gauges `leadflow_<component>_<operation>`, with the series'
/// dimensions as labels; the collector's own counts come last. Names are lower-cased and every character outside
/// `[a-z0-9_]` becomes `_`; a family whose name another family already took is left out rather than merged.
public enum PrometheusExposition {
    /// The `Content-Type` of the rendered text.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

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
        // The collector's own names come first: a measured series cannot shadow them.
        output.taken.formUnion(own.map(\.0))
        for span in snapshot.spans {
            let base = metricName(span.key)
            let name = base + "_seconds"
            guard output.claim(name, also: [name + "_bucket", name + "_sum", name + "_count"]) else { continue }
            output.header(name, "Duration of \(span.key) spans in seconds, since the collector started.", "histogram")
            for (bound, count) in zip(CumulativeHistogram.bounds, span.cumulative.cumulativeCounts) {
                output.sample(name + "_bucket", ["le": number(bound)], count: count)
            }
            output.sample(name + "_bucket", ["le": "+Inf"], count: span.cumulative.count)
            output.sample(name + "_sum", [:], number(span.cumulative.sum))
            output.sample(name + "_count", [:], count: span.cumulative.count)
            let outcomes = base + "_outcomes_total"
            guard output.claim(outcomes) else { continue }
            output.header(outcomes, "\(span.key) spans by outcome, since the collector started.", "counter")
            for (outcome, count) in span.cumulativeOutcomes.sorted(by: { $0.key < $1.key }) {
                output.sample(outcomes, outcome.isEmpty ? [:] : ["outcome": outcome], count: count)
            }
        }
        scalarFamilies(snapshot.counters, suffix: "_total", type: "counter", help: "Total of", into: &output)
        scalarFamilies(snapshot.gauges, suffix: "", type: "gauge", help: "Last reading of", into: &output)
        for (name, type, help, value) in own {
            output.header(name, help, type)
            output.sample(name, [:], value)
        }
        return output.text
    }

    private static func scalarFamilies(
        _ series: [ScalarFigures], suffix: String, type: String, help: String, into output: inout Output
    ) {
        // Snapshots sort series by key, so one family's series are adjacent.
        var start = series.startIndex
        while start < series.endIndex {
            let key = series[start].key.name
            let end = series[start...].firstIndex { $0.key.name != key } ?? series.endIndex
            let name = metricName(key) + suffix
            if output.claim(name) {
                output.header(name, "\(help) \(key).", type)
                var seen: Set<[String: String]> = []
                for figures in series[start..<end] {
                    let labels = labels(figures.key)
                    // Two dimensions that sanitise to the same labels would be one series twice: keep the first.
                    guard seen.insert(labels).inserted else { continue }
                    output.sample(name, labels, number(figures.value))
                }
            }
            start = end
        }
    }

    // MARK: Names and values

    static func metricName(_ key: SpanKey) -> String {
        "leadflow_" + sanitised(key.component) + "_" + sanitised(key.operation)
    }

    /// Lower case, `[a-z0-9_]` only.
    static func sanitised(_ text: String) -> String {
        String(
            text.lowercased().unicodeScalars.map { scalar in
                scalar.isASCII && (("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)) ? Character(scalar) : "_"
            })
    }

    /// The series' labels: `org`, `action_type`, `outcome` and its attributes, names sanitised; an attribute
    /// whose name is reserved or taken (`le`, `quantile`, `org`, …) is prefixed `attr_`.
    static func labels(_ key: SeriesKey) -> [String: String] {
        var labels: [String: String] = [:]
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
