/// How serious a rule's alert is; the raw value is the `<severity>` token of `alert.<severity>.<rule>`.
public enum AlertSeverity: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case info, warning, error, critical

    public static func < (lhs: AlertSeverity, rhs: AlertSeverity) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
