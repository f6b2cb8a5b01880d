import Foundation

/// The whole process's CPU time so far (user + system, every thread), for benchmarks that report CPU per
/// operation. `getrusage` counts in microseconds; `ProcessUsage` (LeadflowTelemetry) reads `/proc` in clock
/// ticks of 10 ms — fine for a gauge, too coarse for a benchmark round of half a second.
enum ProcessCPUTime {
    static func now() -> Duration {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func duration(_ time: timeval) -> Duration { .seconds(time.tv_sec) + .microseconds(time.tv_usec) }
        return duration(usage.ru_utime) + duration(usage.ru_stime)
    }
}
