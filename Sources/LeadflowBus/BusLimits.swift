/// Size limits every bus endpoint enforces on inbound messages.
public struct BusLimits: Sendable, Equatable {
    /// Largest payload frame accepted (1 MiB).
    public var maxPayloadBytes = 1_048_576
    /// Largest header frame accepted (64 KiB).
    public var maxHeaderBytes = 65_536

    public init() {}

    public static let `default` = BusLimits()
}
