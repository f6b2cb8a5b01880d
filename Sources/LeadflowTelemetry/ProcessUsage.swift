import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What the process has used so far: CPU seconds (user + system, from `/proc/self/stat` in clock ticks) and
/// resident memory (`/proc/self/statm` pages × the page size).
public struct ProcessUsage: Sendable, Equatable {
    public var cpuSeconds: Double
    public var residentBytes: Double

    /// Reads both figures; nil when `/proc` is not there or not in the expected form (not Linux).
    public static func read() -> ProcessUsage? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let cpu = cpuSeconds(stat: stat, ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK)))),
            let resident = residentBytes(statm: statm, pageSize: Double(sysconf(Int32(_SC_PAGESIZE))))
        else { return nil }
        return ProcessUsage(cpuSeconds: cpu, residentBytes: resident)
    }

    /// utime + stime (fields 14 and 15) over the clock ticks per second. The command name (field 2) may hold
    /// spaces and parentheses, so fields are counted after its last `)`.
    static func cpuSeconds(stat: String, ticksPerSecond: Double) -> Double? {
        guard ticksPerSecond > 0, let close = stat.lastIndex(of: ")") else { return nil }
        // After ")": field 3 (state) is the first.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / ticksPerSecond
    }

    /// The second field of statm (resident pages) times the page size.
    static func residentBytes(statm: String, pageSize: Double) -> Double? {
        let fields = statm.split(separator: " ")
        guard pageSize > 0, fields.count > 1, let pages = Double(fields[1]) else { return nil }
        return pages * pageSize
    }
}
