import Foundation
import LeadflowProto

/// The per-span duration thresholds: every span above `warning` (100 ms by default) or `error` (1 s) is a
/// `Breach`, unless its series is excluded; `overrides` replace either threshold for one `component.operation`.
public struct SlowOperationThresholds: Sendable, Hashable {
    /// Thresholds of one series; nil turns that level off.
    public struct Levels: Sendable, Hashable {
        /// Seconds.
        public var warning: TimeInterval?
        /// Seconds.
        public var error: TimeInterval?

        public init(warning: TimeInterval?, error: TimeInterval?) {
            self.warning = warning
            self.error = error
        }
    }

    public var defaults: Levels
    public var overrides: [SpanKey: Levels]
    /// Series never checked (by default `*.step_lag`: a lag is not an operation, the lag rules watch it).
    public var exclude: [SeriesPattern]

    public init(
        defaults: Levels = Levels(warning: 0.1, error: 1), overrides: [SpanKey: Levels] = [:],
        exclude: [SeriesPattern] = []
    ) {
        self.defaults = defaults
        self.overrides = overrides
        self.exclude = exclude
    }

    /// The thresholds that apply to `key`.
    public func levels(for key: SpanKey) -> Levels {
        exclude.contains { $0.matches(key) } ? Levels(warning: nil, error: nil) : overrides[key] ?? defaults
    }

    /// The breach `measurement` (a span received at `time`) makes, if it is above a threshold; nil for
    /// counters, gauges and malformed spans.
    public func breach(for measurement: Leadflow_V1_Measurement, at time: Date) -> Breach? {
        guard measurement.kind == .span || measurement.kind == .unspecified, measurement.malformation == nil else {
            return nil
        }
        let key = SpanKey(component: measurement.component, operation: measurement.operation)
        let levels = levels(for: key)
        let duration = Double(measurement.durationMicroseconds) / 1_000_000
        let crossed: (Breach.Level, TimeInterval)
        if let error = levels.error, duration > error {
            crossed = (.error, error)
        } else if let warning = levels.warning, duration > warning {
            crossed = (.warning, warning)
        } else {
            return nil
        }
        return Breach(
            time: time, level: crossed.0, component: key.component, operation: key.operation, duration: duration,
            threshold: crossed.1, itemCount: measurement.itemCount, dbQueries: measurement.dbQueries,
            org: measurement.org, actionType: measurement.actionType, outcome: measurement.outcome,
            traceID: measurement.traceID, attributes: measurement.attributes)
    }
}
