import Testing

/// Real `leadflow` processes under faults. Serialized: each run keeps several processes busy, and two at once
/// on a two-core machine would turn scheduling noise into lease expiries.
@Suite("Fault injection", .serialized)
struct FaultInjectionTests {}
