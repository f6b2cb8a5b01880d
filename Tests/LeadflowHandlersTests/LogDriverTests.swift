import LeadflowTestKit
import Testing

@testable import LeadflowHandlers

@Suite("Log driver: renders like a real driver, logs, succeeds")
struct LogDriverTests {
    @Test func anEmailIsRenderedAndLogged() async {
        let logs = CapturedLogs()
        let outcome = await LogDriver(logger: logs.logger()).deliver(emailDispatch(key: "act-42"))
        #expect(outcome == .succeeded(providerMessageID: "log-act-42"))
        let record = logs.all.first
        #expect(record?.level == .info)
        #expect(record?.metadata["email.to"] == "ada@example.org")
        #expect(record?.metadata["email.subject"] == "Hello Ada")
        #expect(record?.metadata["email.text"] == "Hi Ada,\nyour plan: pro.")
        #expect(record?.metadata["action.id"] == "42")
        #expect(record?.metadata["org.id"] == "acme")
        #expect(record?.metadata["lead.id"] == "7")
    }

    @Test func bodiesCanBeLeftOut() async {
        let logs = CapturedLogs()
        var configuration = LogDriver.Configuration()
        configuration.includeBodies = false
        _ = await LogDriver(configuration: configuration, logger: logs.logger()).deliver(smsDispatch())
        #expect(logs.all.first?.metadata["sms.to"] == "+15550100")
        #expect(logs.all.first?.metadata["sms.body"] == nil)
    }

    @Test func whatARealDriverWouldRefuseFailsHereToo() async {
        let logs = CapturedLogs()
        var dispatch = smsDispatch()
        dispatch.lead.phone = ""
        let outcome = await LogDriver(logger: logs.logger()).deliver(dispatch)
        #expect(OutcomeClassifierTests.summary(outcome) == "failed invalid_recipient")
        #expect(logs.all.isEmpty)
    }
}
