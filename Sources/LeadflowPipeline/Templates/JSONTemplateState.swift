/// Where a JSON body template is: inside a string (a key or a value) or between values; values may only stand
/// inside string values, where escaping as string content keeps the document's structure.
struct JSONTemplateState: TemplateSyntaxState {
    private enum Place { case between, string(key: Bool), escape(key: Bool) }
    private var place = Place.between
    /// `true` for an object, `false` for an array.
    private var containers: [Bool] = []
    private var expectsKey = false

    mutating func read(_ text: Substring) {
        for scalar in text.unicodeScalars {
            switch place {
            case .between:
                switch scalar {
                case "{": containers.append(true); expectsKey = true
                case "[": containers.append(false); expectsKey = false
                case "}", "]": _ = containers.popLast(); expectsKey = false
                case ",": expectsKey = containers.last == true
                case ":": expectsKey = false
                case "\"": place = .string(key: containers.last == true && expectsKey)
                default: break
                }
            case .string(let key):
                if scalar == "\\" { place = .escape(key: key) } else if scalar == "\"" { place = .between }
            case .escape(let key):
                place = .string(key: key)
            }
        }
    }

    var position: PlaceholderPosition {
        switch place {
        case .string(key: false): .safe(.json)
        case .string(key: true): .unsafe("a placeholder in a JSON key could name any field; use it in a value")
        case .escape: .unsafe("a placeholder right after a backslash would be read as an escape sequence")
        case .between:
            .unsafe(
                "a placeholder outside a JSON string could change the document's structure; "
                    + "put it inside quotes, e.g. \"name\": \"{{first_name}}\"")
        }
    }
}
