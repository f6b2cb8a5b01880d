import CoreMetrics

/// Publishes `<component>.process_cpu_seconds` and `<component>.process_resident_bytes` gauges every gauge
/// interval, for as long as ``run()`` runs (cancel its task to stop it).
public struct ProcessSampler: Sendable {
    let telemetry: Telemetry

    public init(telemetry: Telemetry) { self.telemetry = telemetry }

    /// Takes one reading and publishes it; false when `/proc` could not be read.
    @discardableResult
    public func sample() -> Bool {
        guard let usage = ProcessUsage.read() else { return false }
        Gauge(label: "process_cpu_seconds", factory: telemetry.metrics).record(usage.cpuSeconds)
        Gauge(label: "process_resident_bytes", factory: telemetry.metrics).record(usage.residentBytes)
        return true
    }

    /// Samples until the task is cancelled; returns at once when telemetry is off.
    public func run() async {
        guard telemetry.isEnabled else { return }
        while !Task.isCancelled {
            sample()
            try? await Task.sleep(for: telemetry.gaugeInterval)
        }
    }
}
