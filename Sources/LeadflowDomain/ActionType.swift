/// What a pipeline action does; external types are delivered by handler services, internal ones are run by
/// the scheduler in SQL.
public enum ActionType: String, Sendable, CaseIterable, Codable {
    case email, sms, webhook
    case wait
    case waitForReply = "wait_for_reply"
    case move, end

    /// Delivered by a handler service over the bus (`action.<type>` / `result.<type>`).
    public var isExternal: Bool {
        switch self {
        case .email, .sms, .webhook: true
        case .wait, .waitForReply, .move, .end: false
        }
    }

    /// The types handler services exist for.
    public static let external = allCases.filter(\.isExternal)
}
