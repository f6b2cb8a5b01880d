import Foundation
import LeadflowDomain
import OpenAPIRuntime

/// Dates of the API in and out: any RFC 3339 date-time the contract's `format: date-time` allows is read
/// (offsets, any number of fraction digits), and times go out in UTC with milliseconds.
struct RFC3339DateTranscoder: DateTranscoder {
    func encode(_ date: Date) throws -> String { RFC3339Time.string(date) }

    func decode(_ text: String) throws -> Date {
        guard let date = RFC3339Time.date(text) else { throw InvalidDate() }
        return date
    }

    /// A date-time that is not RFC 3339. The transcoder is not told which field it reads, so this carries no
    /// path; ``ProblemMiddleware`` finds the parameter with ``ParameterSyntax``.
    struct InvalidDate: Error {}
}
