import Synchronization
import Testing

@testable import LeadflowScheduler

/// Shutdown waits for the follow-up claims in progress, and refuses new ones.
@Suite("Claim permits")
struct ClaimPermitsTests {
    @Test("closing with no claim in progress returns at once; later permits are refused")
    func idle() async {
        let permits = ClaimPermits()
        #expect(permits.enter())
        permits.leave()
        await permits.closeAndWait()
        #expect(!permits.enter())
    }

    @Test("closing waits until every permit taken is given back")
    func waitsForRunning() async {
        let permits = ClaimPermits()
        #expect(permits.enter())
        #expect(permits.enter())
        let returned = Atomic<Bool>(false)
        let closing = Task {
            await permits.closeAndWait()
            returned.store(true, ordering: .sequentiallyConsistent)
        }
        // Closed once a new permit is refused; two are still out, so it must not have returned.
        while permits.enter() {
            permits.leave()
            await Task.yield()
        }
        let whileTwoOut = returned.load(ordering: .sequentiallyConsistent)
        #expect(!whileTwoOut)
        permits.leave()
        let whileOneOut = returned.load(ordering: .sequentiallyConsistent)
        #expect(!whileOneOut)
        permits.leave()
        await closing.value
        let afterAll = returned.load(ordering: .sequentiallyConsistent)
        #expect(afterAll)
    }
}
