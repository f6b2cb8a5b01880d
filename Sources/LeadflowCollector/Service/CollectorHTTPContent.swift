/// What the collector's HTTP endpoint serves; the collector's state answers, the server only transports.
public protocol CollectorHTTPContent: Sendable {
    /// The Prometheus text exposition (format 0.0.4) of every series.
    func prometheusText() async -> String
    /// Whether the collector is working, and a JSON body saying why.
    func health() async -> (healthy: Bool, json: [UInt8])
    /// The firing alerts as a JSON array.
    func alertsJSON() async -> [UInt8]
    /// The compact JSON summary `leadflow top` shows.
    func summaryJSON() async -> [UInt8]
}
