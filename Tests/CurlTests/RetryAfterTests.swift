import Foundation
import Testing

@testable import Curl

@Suite("Retry-After parsing")
struct RetryAfterTests {
    // 1994-11-06 08:49:37 UTC, the example date of RFC 9110 §5.6.7.
    static let exampleDate = Date(timeIntervalSince1970: 784_111_777)

    @Test(arguments: [("120", 120), ("0", 0), (" 7 ", 7), ("\t30", 30)])
    func deltaSeconds(value: String, seconds: Int) {
        #expect(RetryAfter(headerValue: value) == .seconds(seconds))
    }

    @Test(arguments: [
        "Sun, 06 Nov 1994 08:49:37 GMT",  // IMF-fixdate
        "Sunday, 06-Nov-94 08:49:37 GMT",  // obsolete RFC 850
        "Sun Nov  6 08:49:37 1994",  // asctime
    ])
    func httpDateForms(value: String) {
        #expect(RetryAfter(headerValue: value) == .date(Self.exampleDate))
    }

    @Test(arguments: ["", "   ", "-1", "1.5", "soon", "12 seconds", "+5"])
    func rejectsMalformedValues(value: String) {
        #expect(RetryAfter(headerValue: value) == nil)
    }

    @Test func hugeDeltaSaturatesInsteadOfFailing() {
        #expect(RetryAfter(headerValue: "99999999999999999999999") == .seconds(Int.max))
    }

    @Test func delayOfADateIsMeasuredFromNow() {
        let now = Self.exampleDate.addingTimeInterval(-90)
        #expect(RetryAfter.date(Self.exampleDate).delay(from: now) == .seconds(90))
    }

    @Test func dateInThePastMeansNoDelay() {
        let now = Self.exampleDate.addingTimeInterval(3600)
        #expect(RetryAfter.date(Self.exampleDate).delay(from: now) == .zero)
    }

    @Test func deltaSecondsDelayIgnoresTheClock() {
        #expect(RetryAfter.seconds(42).delay(from: .distantFuture) == .seconds(42))
    }

    @Test func responseExposesItsRetryAfterHeader() {
        let response = HTTPResponse(status: 429, headers: ["retry-after": "3"])
        #expect(response.retryAfter == .seconds(3))
        #expect(HTTPResponse(status: 429).retryAfter == nil)
    }
}
