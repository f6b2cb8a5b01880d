/// The figures of one end-to-end run, as `leadflow bench e2e` and `leadflow dev --demo` print them.
public struct EndToEndReport: Sendable {
    public var leads = 0
    /// Import (upserts and enrolls through the client) until the last action finished.
    public var wallTime: Duration = .zero
    public var importTime: Duration = .zero
    public var actionsByType: [String: Int] = [:]
    public var dead = 0
    public var stepLagP50: Duration = .zero
    public var stepLagP99: Duration = .zero
    /// Ingest commit → first action started, over every lead of the run (includes the backlog's queueing).
    public var enrollToFirstP99UnderLoad: Duration = .zero
    /// Client send → first action dispatched, one lead at a time on the idle system afterwards.
    public var idleEnrollToFirstP50: Duration?
    public var idleEnrollToFirstP99: Duration?

    public var actionsDone: Int { actionsByType.values.reduce(0, +) }

    public var actionsPerSecond: Double {
        let seconds = wallTime.seconds
        return seconds > 0 ? Double(actionsDone) / seconds : 0
    }

    public var summary: String {
        func ms(_ duration: Duration) -> String {
            let value = duration.seconds * 1000
            return value >= 100 ? String(Int(value.rounded())) + " ms" : String(format: "%.1f ms", value)
        }
        var lines = [
            "leads:            \(leads)",
            "actions done:     \(actionsDone) (" + actionsByType.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")",
            "failures (dead):  \(dead)",
            "wall time:        \(ms(wallTime)) (import \(ms(importTime)))",
            "throughput:       \(Int(actionsPerSecond.rounded())) actions/s",
            "step lag:         p50 \(ms(stepLagP50)), p99 \(ms(stepLagP99))",
            "enroll → first:   p99 \(ms(enrollToFirstP99UnderLoad)) under load",
        ]
        if let p50 = idleEnrollToFirstP50, let p99 = idleEnrollToFirstP99 {
            lines.append("enroll → first:   p50 \(ms(p50)), p99 \(ms(p99)) idle (one lead at a time)")
        }
        return lines.joined(separator: "\n")
    }
}
