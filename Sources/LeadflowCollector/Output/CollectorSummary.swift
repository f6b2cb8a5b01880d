import Foundation

/// A compact JSON view of a snapshot for `leadflow top`: per span series its window count, rate, p50, p99 and
/// error share; gauges; counters; the collector's own counts. `Codable` both ways, so `top` decodes what the
/// collector encodes.
public struct CollectorSummary: Sendable, Hashable, Codable {
    public struct Span: Sendable, Hashable, Codable {
        public var component: String
        public var operation: String
        /// Spans in the window.
        public var count: UInt64
        public var ratePerSecond: Double
        public var p50Seconds: Double
        public var p99Seconds: Double
        public var maxSeconds: Double
        /// Share of the window's spans with an error outcome (`error`, `failed`, `retry`); 0 when empty.
        public var errorShare: Double
    }

    public struct Scalar: Sendable, Hashable, Codable {
        public var component: String
        public var operation: String
        /// `org`, `action_type`, `outcome` and attributes, empty ones left out.
        public var labels: [String: String]
        public var value: Double
    }

    /// RFC 3339.
    public var generatedAt: String
    public var windowSeconds: Double
    public var spans: [Span]
    public var gauges: [Scalar]
    public var counters: [Scalar]
    public var statistics: CollectorStatistics

    public init(_ snapshot: MetricsSnapshot) {
        generatedAt = RFC3339.string(snapshot.time)
        windowSeconds = snapshot.window
        spans = snapshot.spans.map {
            Span(
                component: $0.key.component, operation: $0.key.operation, count: $0.count,
                ratePerSecond: $0.ratePerSecond, p50Seconds: $0.p50, p99Seconds: $0.p99, maxSeconds: $0.max,
                errorShare: $0.errorShare() ?? 0)
        }
        let scalar = { (figures: ScalarFigures) in
            Scalar(
                component: figures.key.component, operation: figures.key.operation, labels: figures.key.labels,
                value: figures.value)
        }
        gauges = snapshot.gauges.map(scalar)
        counters = snapshot.counters.map(scalar)
        statistics = snapshot.statistics
    }

    /// The summary as JSON, keys sorted.
    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }

    /// The summary in `data`, as `top` reads it.
    public static func decode(_ data: Data) throws -> CollectorSummary {
        try JSONDecoder().decode(CollectorSummary.self, from: data)
    }
}
