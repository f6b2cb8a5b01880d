import Testing

@testable import LeadflowScheduler

/// How the scheduler splits a batch of results into transactions, as pure logic.
@Suite("Result turns")
struct ResultTurnsTests {
    /// A result: its organization and its place in arrival order.
    struct Item: Equatable, CustomStringConvertible {
        var org: String?
        var index: Int
        var description: String { "\(org ?? "?")\(index)" }
    }

    static func items(_ orgs: [String?]) -> [Item] { orgs.enumerated().map { Item(org: $1, index: $0) } }

    @Test(
        "one organization's results stay one transaction, in arrival order, whatever the shared limit",
        arguments: [1, 3, 200])
    func oneOrganization(sharedLimit: Int) {
        let items = Self.items(Array(repeating: "big", count: 10))
        #expect(ResultTurns.split(items, sharedLimit: sharedLimit, organization: \.org) == [items])
        #expect(ResultTurns.split([Item](), sharedLimit: sharedLimit, organization: \.org).isEmpty)
    }

    @Test(
        "several organizations' results go in turns, the shared limit per transaction",
        arguments: [
            (sharedLimit: 4, expected: [["big0", "small3", "big1", "small5"], ["big2", "big4", "big6"]]),
            (sharedLimit: 2, expected: [["big0", "small3"], ["big1", "small5"], ["big2", "big4"], ["big6"]]),
            (sharedLimit: 200, expected: [["big0", "small3", "big1", "small5", "big2", "big4", "big6"]]),
        ])
    func turns(sharedLimit: Int, expected: [[String]]) {
        let items = Self.items(["big", "big", "big", "small", "big", "small", "big"])
        let split = ResultTurns.split(items, sharedLimit: sharedLimit, organization: \.org)
        #expect(split.map { $0.map(\.description) } == expected)
        #expect(split.flatMap { $0 }.count == items.count, "nothing lost, nothing twice")
    }

    @Test("results without Leadflow-Org count as one more organization; each one's order is kept")
    func unknownOrganization() {
        let items = Self.items(["a", nil, "a", nil, "b"])
        let split = ResultTurns.split(items, sharedLimit: 10, organization: \.org)
        #expect(split.map { $0.map(\.description) } == [["a0", "?1", "b4", "a2", "?3"]])
    }
}
