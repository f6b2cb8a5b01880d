import ZeroMQ

/// Where a process publishes its measurements and how much it buffers: `telemetry.*` in the configuration.
public struct TelemetryConfiguration: Sendable, Equatable {
    /// The collector's SUB endpoint the process's PUB socket connects to; empty: telemetry off.
    public var endpoint = "tcp://127.0.0.1:4250"
    /// Measurements queued for the publisher's thread; beyond it they are dropped and counted.
    public var queueCapacity = 16_384
    /// How often gauges (process, backlog, breakers) are sampled.
    public var gaugeInterval: Duration = .seconds(5)
    /// CURVE client keys for the connection to the collector (from `bus.*`); `nil`: plaintext.
    public var curve: CurveSecurity? = nil

    public init() {}

    /// Whether measurements are published at all.
    public var isEnabled: Bool { !endpoint.isEmpty }

    /// Readable problems, empty when the configuration is usable.
    public func problems() -> [String] {
        var problems: [String] = []
        if !(16...10_000_000).contains(queueCapacity) {
            problems.append("telemetry queue capacity must be 16…10000000 (got \(queueCapacity))")
        }
        if gaugeInterval < .milliseconds(100) || gaugeInterval > .seconds(3600) {
            problems.append("telemetry gauge interval must be 100ms…1h (got \(gaugeInterval))")
        }
        if isEnabled && !["tcp://", "ipc://", "inproc://"].contains(where: endpoint.hasPrefix) {
            problems.append("telemetry endpoint must start with tcp://, ipc:// or inproc:// (got \(endpoint))")
        }
        return problems
    }
}
