import Foundation
import LeadflowBus
import LeadflowProto
import LeadflowTestKit
import Logging
import Testing

@testable import LeadflowHandlers

@Suite("Results kept until the scheduler's receipt, pushed again, and spooled across a restart", .timeLimit(.minutes(1)))
struct ResultReceiptTests {
    static let driver = LogDriver(logger: Logger(label: "test.log-driver"))

    @Test func aResultWithoutAReceiptIsPushedAgainAndOneWithAReceiptIsNot() async throws {
        let harness = try await HandlerHarness.start(driver: Self.driver, withReceipts: true) {
            $0.receiptTimeout = .milliseconds(300)
        }
        try await harness.send([webhookDispatch(id: 1, url: "https://hooks.example/a"), webhookDispatch(id: 2, url: "https://hooks.example/b")])
        let first = try await harness.nextResults(2)
        #expect(Set(first.map(\.actionID)) == [1, 2])
        #expect(harness.service.statistics.unconfirmed == 2)

        // The scheduler applied action 1's result: only action 2's comes again, the same result as before.
        try await harness.acknowledge(first.filter { $0.actionID == 1 }, leaving: 1)
        let again = try #require(try await harness.nextResults(1).first)
        #expect(again.actionID == 2)
        #expect(again == first.first { $0.actionID == 2 })
        #expect(harness.service.statistics.resultsResent >= 1)

        try await harness.acknowledge([again], leaving: 0)
        #expect(harness.service.statistics.unconfirmed == 0)
        try await harness.stop()
    }

    @Test func resultsUnacknowledgedAtShutdownAreSpooledAndTheNextHandlerPushesThem() async throws {
        try await withTemporaryFolder { folder in
            let spool = folder + "/spool"
            // No scheduler answers with receipts: the result is pushed, but never acknowledged.
            let first = try await HandlerHarness.start(driver: Self.driver, withReceipts: true) {
                $0.spoolDirectory = spool
                $0.resultFlushTimeout = .milliseconds(300)
            }
            try await first.send([webhookDispatch(id: 7, attempt: 2, url: "https://hooks.example/a")])
            let pushed = try #require(try await first.nextResults(1).first)
            #expect(pushed.outcome == .succeeded)
            try await first.stop()
            #expect(first.service.statistics.resultsSpooled == 1)
            let files = try FileManager.default.contentsOfDirectory(atPath: spool)
            #expect(files.count == 1 && files[0].hasPrefix("webhook-") && files[0].hasSuffix(".spool"))

            // The next handler of the type takes the file and pushes the result before anything else.
            let second = try await HandlerHarness.start(driver: Self.driver, withReceipts: true) {
                $0.spoolDirectory = spool
            }
            let restored = try #require(try await second.nextResults(1).first)
            #expect(restored == pushed)
            #expect(second.service.statistics.resultsRestored == 1)
            #expect(try FileManager.default.contentsOfDirectory(atPath: spool).isEmpty)
            try await second.acknowledge([restored], leaving: 0)
            try await second.stop()
            #expect(second.service.statistics.resultsSpooled == 0)
        }
    }

    @Test func aDamagedSpoolFileYieldsTheResultsBeforeTheDamage() throws {
        let envelopes = try (1...3).map { id in
            try Envelope(
                subject: Subject("result.email"),
                message: Leadflow_V1_ActionResult.with {
                    $0.actionID = Int64(id)
                    $0.attempt = 1
                    $0.outcome = .succeeded
                })
        }
        var bytes = ResultSpool.magic
        for envelope in envelopes {
            for frame in envelope.frames {
                bytes += withUnsafeBytes(of: UInt32(frame.count).bigEndian, Array.init) + frame
            }
        }
        #expect(ResultSpool.decode(bytes).envelopes.count == 3)
        #expect(ResultSpool.decode(bytes).intact)
        let cut = ResultSpool.decode(Array(bytes.dropLast(3)))
        #expect(cut.envelopes.map { try! $0.decode(Leadflow_V1_ActionResult.self).actionID } == [1, 2])
        #expect(!cut.intact)
        #expect(ResultSpool.decode(Array("not a spool".utf8)).envelopes.isEmpty)
        #expect(!ResultSpool.decode(Array("not a spool".utf8)).intact)
    }

    @Test func keptResultsAreDueAgainWithBackOffAndGivenUpAfterTheirRetention() throws {
        let pending = UnconfirmedResults(firstResend: .seconds(5), maxResend: .seconds(20), retention: .seconds(60))
        let start = ContinuousClock.now
        let envelope = try Envelope(subject: Subject("result.sms"), payload: [])
        pending.track(.init(actionID: 1, attempt: 1), envelope, now: start)
        #expect(pending.due(now: start + .seconds(4)).resend.isEmpty)
        #expect(pending.due(now: start + .seconds(5)).resend.count == 1)
        // Next after 10 s, then 20 s, then 20 s (the cap).
        #expect(pending.due(now: start + .seconds(14)).resend.isEmpty)
        #expect(pending.due(now: start + .seconds(15)).resend.count == 1)
        #expect(pending.due(now: start + .seconds(34)).resend.isEmpty)
        #expect(pending.due(now: start + .seconds(35)).resend.count == 1)
        #expect(pending.due(now: start + .seconds(55)).resend.count == 1)
        let late = pending.due(now: start + .seconds(75))
        #expect(late.resend.isEmpty && late.givenUp == 1)
        #expect(pending.count == 0)
        pending.track(.init(actionID: 2, attempt: 3), envelope, now: start)
        #expect(pending.confirm([.init(actionID: 2, attempt: 2)]) == 0)
        #expect(pending.confirm([.init(actionID: 2, attempt: 3)]) == 1)
    }
}
