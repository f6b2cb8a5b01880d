import Foundation
@testable import LeadflowTelemetry
import Testing

@Suite("Process sampler")
struct ProcessSamplerTests {
    @Test("reads plausible CPU seconds and resident bytes from /proc and publishes them as gauges")
    func samples() async throws {
        // Burn some CPU so the reading cannot be zero even at 100 ticks per second.
        let clock = ContinuousClock()
        let until = clock.now + .milliseconds(50)
        var spin = 0
        while clock.now < until { spin &+= 1 }
        #expect(spin > 0)
        let usage = try #require(ProcessUsage.read())
        #expect(usage.cpuSeconds >= 0.01 && usage.cpuSeconds < 1_000_000)
        #expect(usage.residentBytes > 1_000_000 && usage.residentBytes < 1e12)

        try await TelemetryHarness.with { harness in
            #expect(ProcessSampler(telemetry: harness.telemetry("ingest")).sample())
            let received = try await harness.receive(2)
            #expect(received.map(\.subject) == ["metrics.ingest.process_cpu_seconds", "metrics.ingest.process_resident_bytes"])
            #expect(received.allSatisfy { $0.measurement.kind == .gauge && $0.measurement.value > 0 })
            #expect((received.first?.measurement.value ?? 0) >= usage.cpuSeconds)
        }
    }

    @Test("the command name may hold spaces and parentheses")
    func awkwardCommandName() {
        let stat = "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 500 0 0 0 250 130 0 0 20 0 4 0 100 0 0"
        #expect(ProcessUsage.cpuSeconds(stat: stat, ticksPerSecond: 100) == 3.8)
        #expect(ProcessUsage.residentBytes(statm: "1000 256 100 1 0 200 0", pageSize: 4096) == 1_048_576)
        #expect(ProcessUsage.cpuSeconds(stat: "garbage", ticksPerSecond: 100) == nil)
    }
}
