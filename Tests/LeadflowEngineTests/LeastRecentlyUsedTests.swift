import Testing

@testable import LeadflowScheduler

/// The bound on the scheduler's action-config cache: at most `capacity` entries, the least recently used
/// dropped first.
@Suite("Least recently used")
struct LeastRecentlyUsedTests {
    @Test("a full cache drops the entry used least recently, and a read counts as a use")
    func evictsLeastRecentlyUsed() {
        var cache = LeastRecentlyUsed<Int, String>(capacity: 3)
        #expect(cache.set("one", for: 1) == nil)
        #expect(cache.set("two", for: 2) == nil)
        #expect(cache.set("three", for: 3) == nil)
        #expect(cache.value(for: 1) == "one")
        // 2 is now the least recently used.
        #expect(cache.set("four", for: 4) == 2)
        #expect(cache.value(for: 2) == nil)
        #expect(cache.count == 3)
        // Replacing a value is a use, and drops nothing.
        #expect(cache.set("THREE", for: 3) == nil)
        #expect(cache.set("five", for: 5) == 1)
        #expect(cache.value(for: 3) == "THREE")
        #expect(cache.value(for: 4) == "four")
        #expect(cache.value(for: 5) == "five")
    }

    @Test("a cache of one holds the last entry set")
    func capacityOne() {
        var cache = LeastRecentlyUsed<String, Int>(capacity: 1)
        cache.set(1, for: "a")
        #expect(cache.set(2, for: "b") == "a")
        #expect(cache.value(for: "a") == nil)
        #expect(cache.value(for: "b") == 2)
        #expect(cache.count == 1)
    }

    @Test("many more keys than it holds: never more than its capacity, and it keeps exactly the most recent ones")
    func staysBounded() {
        var cache = LeastRecentlyUsed<Int, Int>(capacity: 100)
        for key in 0..<10_000 {
            cache.set(key * 2, for: key)
            // Keep reading one old key, so it is never the least recently used.
            #expect(cache.value(for: 0) == 0)
        }
        #expect(cache.count == 100)
        let held = (0..<10_000).filter { cache.value(for: $0) != nil }
        #expect(held == [0] + Array(9_901..<10_000))
    }

    @Test("the scheduler's configuration refuses a config cache of no entries", arguments: [0, -1])
    func configurationRefusesEmptyCache(size: Int) {
        var configuration = SchedulerConfiguration()
        #expect(configuration.problems().isEmpty)
        configuration.actionConfigCacheSize = size
        #expect(configuration.problems() == ["action config cache size must be at least 1 (got \(size))"])
    }
}
