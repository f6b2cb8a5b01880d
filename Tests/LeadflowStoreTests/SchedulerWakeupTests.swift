import LeadflowStore
import Testing

@Suite("Scheduler wake-up payload")
struct SchedulerWakeupTests {
    @Test("names each organization once, sorted, one per line; reads back what it wrote")
    func roundTrip() {
        let payload = SchedulerWakeup.payload(organizations: ["beta", "acme", "beta", "org-3"])
        #expect(payload == "acme\nbeta\norg-3")
        #expect(SchedulerWakeup.organizations(in: payload) == ["acme", "beta", "org-3"])
    }

    @Test("an empty payload names nobody: only a wake-up")
    func empty() {
        #expect(SchedulerWakeup.payload(organizations: []) == "")
        #expect(SchedulerWakeup.organizations(in: "").isEmpty)
    }

    @Test("names that would not fit in a notification leave the payload empty, a plain wake-up")
    func tooMany() {
        let orgs = (0..<1_000).map { "organization-\($0)" }
        #expect(SchedulerWakeup.payload(organizations: orgs) == "")
        #expect(SchedulerWakeup.payload(organizations: orgs.prefix(100)).split(separator: "\n").count == 100)
    }
}
