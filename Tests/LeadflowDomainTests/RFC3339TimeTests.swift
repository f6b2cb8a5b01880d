import Foundation
import LeadflowDomain
import Testing

@Suite("RFC 3339 times")
struct RFC3339TimeTests {
    @Test(
        "every form RFC 3339 allows names its moment",
        arguments: [
            ("2026-12-07T09:30:00Z", 1_796_635_800.0),
            ("2026-12-07t09:30:00z", 1_796_635_800.0),
            ("2026-12-07 09:30:00Z", 1_796_635_800.0),
            ("2026-12-07T10:30:00+01:00", 1_796_635_800.0),
            ("2026-12-07T04:00:00-05:30", 1_796_635_800.0),
            ("2026-12-07T09:30:00.250Z", 1_796_635_800.25),
            ("2026-12-07T09:30:00.123456789Z", 1_796_635_800.123456789),
            ("1970-01-01T00:00:00Z", 0.0),
            ("2024-02-29T00:00:00Z", 1_709_164_800.0),
            ("2016-12-31T23:59:60Z", 1_483_228_800.0),
        ])
    func parses(_ text: String, _ seconds: Double) throws {
        let date = try #require(RFC3339Time.date(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 1e-6, "\(text): \(date.timeIntervalSince1970)")
    }

    @Test(
        "anything else is refused",
        arguments: [
            "2026-12-07", "2026-12-07T09:30Z", "2026-12-07T09:30:00", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
            "2026-12-07T24:00:00Z", "2026-12-07T09:30:00.Z", "2026-12-07T09:30:00+1:00", "2026-12-07T09:30:00Z ",
            "yesterday", "",
        ])
    func refuses(_ text: String) {
        #expect(RFC3339Time.date(text) == nil)
    }

    @Test("output is UTC with milliseconds and reads back")
    func output() throws {
        let date = Date(timeIntervalSince1970: 1_796_635_800.25)
        #expect(RFC3339Time.string(date) == "2026-12-07T09:30:00.250Z")
        #expect(RFC3339Time.date(RFC3339Time.string(date)) == date)
    }
}
