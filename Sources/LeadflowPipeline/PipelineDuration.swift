/// The duration syntax of pipeline files: a whole number and a unit (`0s`, `90s`, `15m`, `2h`, `3d`), units
/// combinable from largest to smallest (`1h30m`, `2d12h`).
public enum PipelineDuration {
    /// Why a duration did not parse; `message` is ready to show to a user.
    public struct Invalid: Error, Sendable, Hashable {
        public var message: String
    }

    static let units: [(symbol: Character, seconds: Int64)] = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]

    /// The duration `text` stands for, in whole seconds.
    public static func seconds(from text: String) throws(Invalid) -> Int64 {
        let example = "expected a whole number and a unit (s, m, h, d), e.g. 90s, 15m, 2h, 1h30m"
        if text.hasPrefix("-") {
            throw Invalid(message: "duration \"\(text)\" is negative; durations must be zero or more")
        }
        var total: Int64 = 0
        var digits = ""
        var nextUnit = 0
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            // Units must come largest first and only once, so `30m1h` or `1h1h` are read as typos, not sums.
            guard let found = units.firstIndex(where: { $0.symbol == character }), !digits.isEmpty,
                found >= nextUnit
            else {
                throw Invalid(message: "malformed duration \"\(text)\": \(example)")
            }
            guard let number = Int64(digits) else {
                throw Invalid(message: "duration \"\(text)\" is too long")
            }
            let (part, overflow1) = number.multipliedReportingOverflow(by: units[found].seconds)
            let (sum, overflow2) = total.addingReportingOverflow(part)
            if overflow1 || overflow2 { throw Invalid(message: "duration \"\(text)\" is too long") }
            total = sum
            digits = ""
            nextUnit = found + 1
        }
        guard digits.isEmpty, nextUnit > 0 else {
            throw Invalid(message: "malformed duration \"\(text)\": \(example)")
        }
        return total
    }
}
