import LeadflowAdminAPI

/// A control of a lead's page, with the words its confirmation page and its notice use.
enum LeadControl: String, Sendable {
    case canceled
    case replayed

    /// The last segment of its form's path.
    var path: String {
        switch self {
        case .canceled: "cancel"
        case .replayed: "replay"
        }
    }

    var question: String {
        switch self {
        case .canceled: "Cancel this lead's open work?"
        case .replayed: "Replay this lead's dead actions?"
        }
    }

    /// What the dry run says the control would do.
    func effect(_ report: Components.Schemas.ControlReport) -> String {
        switch self {
        case .canceled:
            "\(Self.count(report.actions, "open action")) in \(Self.count(report.stages, "stage")) would be canceled, and the stages ended."
        case .replayed:
            "\(Self.count(report.actions, "dead action")) would run again, due now, with fresh attempts."
        }
    }

    func button(actions: Int) -> String {
        switch self {
        case .canceled: "Cancel \(Self.count(actions, "action"))"
        case .replayed: "Replay \(Self.count(actions, "action"))"
        }
    }

    /// The lead page's notice after the control ran.
    func notice(actions: Int) -> String {
        switch self {
        case .canceled: "Canceled \(Self.count(actions, "action"))."
        case .replayed: "Replayed \(Self.count(actions, "dead action"))."
        }
    }

    private static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }
}
