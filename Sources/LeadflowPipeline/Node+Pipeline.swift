import Yams

extension Node {
    /// How a user would name this kind of node in a message.
    var kindName: String {
        switch self {
        case .scalar(let scalar): scalar.isNull ? "nothing" : "the value \"\(scalar.string)\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        }
    }
}

extension Node.Scalar {
    /// `~`, `null` or nothing, written plainly; a quoted "null" is text.
    var isNull: Bool {
        style != .singleQuoted && style != .doubleQuoted && ["", "~", "null", "Null", "NULL"].contains(string)
    }
}
