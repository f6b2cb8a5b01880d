/// Selects series by name in rule files: `component.operation` where `*` stands for any run of characters
/// within one token (`*.db_query`, `*_handler.breaker_open`, `scheduler.*`).
public struct SeriesPattern: Sendable, Hashable, CustomStringConvertible {
    /// Why a pattern is not usable; `message` is ready to show to a user.
    public struct Invalid: Error, Sendable, Hashable {
        public var message: String
    }

    public let component: String
    public let operation: String

    /// Every series.
    public static let all = SeriesPattern(component: "*", operation: "*")

    /// The circuit-breaker gauges of every handler.
    public static let breakers = SeriesPattern(component: "*_handler", operation: "breaker_open")

    private init(component: String, operation: String) {
        self.component = component
        self.operation = operation
    }

    public init(_ text: String) throws(Invalid) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
            text.utf8.allSatisfy({ (33...126).contains($0) && $0 != UInt8(ascii: ">") })
        else {
            throw Invalid(
                message: "series pattern \"\(text)\" must be component.operation, with * for any characters "
                    + "within a token, e.g. scheduler.claim, *.db_query, *_handler.breaker_open")
        }
        component = String(parts[0])
        operation = String(parts[1])
    }

    public var description: String { "\(component).\(operation)" }

    public func matches(_ key: SpanKey) -> Bool {
        Self.glob(component, matches: key.component) && Self.glob(operation, matches: key.operation)
    }

    /// Wildcard matching of one token, `*` for any run of characters; iterative with one backtrack point.
    static func glob(_ pattern: String, matches text: String) -> Bool {
        let pattern = Array(pattern.utf8)
        let text = Array(text.utf8)
        var (p, t) = (0, 0)
        var star: (p: Int, t: Int)?
        while t < text.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                star = (p, t)
                p += 1
            } else if p < pattern.count, pattern[p] == text[t] {
                p += 1
                t += 1
            } else if let last = star {
                p = last.p + 1
                t = last.t + 1
                star = (last.p, last.t + 1)
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }
}
