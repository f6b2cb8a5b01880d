/// What a `leadflow dlq` command does to the actions it selects, in the words its output uses.
enum DLQVerb: Sendable {
    case replay, discard

    var present: String {
        switch self {
        case .replay: "replay"
        case .discard: "discard"
        }
    }

    var past: String { present + "ed" }
}
