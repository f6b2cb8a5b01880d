import Logging

/// Defaults shared by the bus endpoints.
public enum BusDefaults {
    /// Libraries never make loggers of their own; without an injected one, they stay silent.
    public static let silentLogger = Logger(label: "leadflow.bus", factory: { _ in SwiftLogNoOpLogHandler() })
}
