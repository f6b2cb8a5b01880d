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
        "several organizations' results go in rounds of parts, the fewest first; parts share a transaction only while they fit",
        arguments: [
            (sharedLimit: 4, expected: [["small3", "small5"], ["big0", "big1", "big2", "big4"], ["big6"]]),
            (sharedLimit: 2, expected: [["small3", "small5"], ["big0", "big1"], ["big2", "big4"], ["big6"]]),
            (sharedLimit: 200, expected: [["small3", "small5", "big0", "big1", "big2", "big4", "big6"]]),
        ])
    func turns(sharedLimit: Int, expected: [[String]]) {
        let items = Self.items(["big", "big", "big", "small", "big", "small", "big"])
        let split = ResultTurns.split(items, sharedLimit: sharedLimit, organization: \.org)
        #expect(split.map { $0.map(\.description) } == expected)
        #expect(split.flatMap { $0 }.count == items.count, "nothing lost, nothing twice")
        #expect(split.allSatisfy { $0.count <= sharedLimit })
    }

    @Test("many small tenants' results share transactions; a big tenant's full parts stay on their own")
    func manySmallTenants() {
        let orgs: [String?] = Array(repeating: "big", count: 30) + (0..<12).map { "t\($0 % 6)" }
        let items = Self.items(orgs)
        let split = ResultTurns.split(items, sharedLimit: 10, organization: \.org)
        // Six tenants with two results each: 12 results in two transactions, before the big tenant's three.
        #expect(split.map(\.count) == [10, 2, 10, 10, 10])
        #expect(split.prefix(2).allSatisfy { $0.allSatisfy { $0.org != "big" } })
        #expect(split.suffix(3).allSatisfy { $0.allSatisfy { $0.org == "big" } })
        #expect(Set(split.flatMap { $0 }.map(\.index)) == Set(items.map(\.index)), "nothing lost, nothing twice")
    }

    @Test("results without Leadflow-Org count as one more organization; each one's order is kept")
    func unknownOrganization() {
        let items = Self.items(["a", nil, "a", nil, "b"])
        let split = ResultTurns.split(items, sharedLimit: 10, organization: \.org)
        #expect(split.map { $0.map(\.description) } == [["b4", "a0", "a2", "?1", "?3"]])
    }
}
