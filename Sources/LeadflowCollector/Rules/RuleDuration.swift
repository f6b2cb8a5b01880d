import Foundation

/// The duration syntax of rule files: numbers with units, largest unit first, each unit once (`250ms`, `1.5s`,
/// `5m`, `1h30m`, `2d`), or a bare `0`.
public enum RuleDuration {
    /// Why a duration did not parse; `message` is ready to show to a user.
    public struct Invalid: Error, Sendable, Hashable {
        public var message: String
    }

    private static let units: [(symbol: String, seconds: Double)] = [
        ("d", 86_400), ("h", 3_600), ("ms", 0.001), ("m", 60), ("s", 1),
    ]
    /// Largest first: the order units must appear in.
    private static let order = ["d", "h", "m", "s", "ms"]

    /// The duration `text` stands for, in seconds.
    public static func seconds(from text: String) throws(Invalid) -> TimeInterval {
        let example = "expected a number and a unit (ms, s, m, h, d), e.g. 250ms, 1.5s, 5m, 1h30m"
        if text.hasPrefix("-") {
            throw Invalid(message: "duration \"\(text)\" is negative; durations must be zero or more")
        }
        if text == "0" { return 0 }
        var rest = Substring(text)
        var total: TimeInterval = 0
        var nextUnit = 0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            rest = rest.dropFirst(number.count)
            // `ms` before `m`: the longest unit symbol that matches wins.
            guard let unit = units.first(where: { rest.hasPrefix($0.symbol) }),
                let value = Double(number), !number.hasPrefix("."), !number.hasSuffix("."),
                let position = order.firstIndex(of: unit.symbol), position >= nextUnit
            else {
                throw Invalid(message: "malformed duration \"\(text)\": \(example)")
            }
            rest = rest.dropFirst(unit.symbol.count)
            total += value * unit.seconds
            nextUnit = position + 1
        }
        guard nextUnit > 0, total.isFinite else { throw Invalid(message: "malformed duration \"\(text)\": \(example)") }
        return total
    }
}
