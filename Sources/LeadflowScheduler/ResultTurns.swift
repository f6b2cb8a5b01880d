/// How a batch of results pulled from the handlers is split into transactions, fairly across organizations.
///
/// A result transaction's start is when its results count as applied and its commit is when the leads' next
/// actions become due, so a transaction is how long one organization's results wait behind the others'. With
/// results of one organization in hand, the batch is one transaction, as pulled. With several, each
/// organization's results are cut into parts of at most `sharedLimit` (in the order they came, so an
/// IN_PROGRESS still comes before the success that follows it) and the parts are applied in rounds — each
/// organization's first part, then each one's second, … — the organizations with fewer results first in each
/// round. Consecutive parts are applied together while they fit in `sharedLimit`. So a tenant with a few
/// results is in the first, short transaction, and its results share a transaction only with other small
/// parts, never with a big tenant's full one.
enum ResultTurns {
    /// `items` split into the transactions to apply them in; `organization` names each one's tenant (`nil`:
    /// not known, from a handler that does not send `Leadflow-Org`; those count as one more tenant).
    static func split<Item>(_ items: [Item], sharedLimit: Int, organization: (Item) -> String?) -> [[Item]] {
        precondition(sharedLimit > 0, "the shared result batch must be positive")
        var queues: [String?: [Item]] = [:]
        var order: [String?] = []
        for item in items {
            let org = organization(item)
            if queues[org] == nil { order.append(org) }
            queues[org, default: []].append(item)
        }
        guard order.count > 1 else { return items.isEmpty ? [] : [items] }
        // Fewest results first; equal counts keep the order of arrival.
        let count = { (org: String?) in queues[org]?.count ?? 0 }
        let ranked = order.indices.sorted { (count(order[$0]), $0) < (count(order[$1]), $1) }.map { order[$0] }
        var parts: [ArraySlice<Item>] = []
        var taken = 0
        var round = 0
        while taken < items.count {
            let start = round * sharedLimit
            for org in ranked {
                let queue = queues[org] ?? []
                guard start < queue.count else { continue }
                parts.append(queue[start..<min(start + sharedLimit, queue.count)])
                taken += parts[parts.count - 1].count
            }
            round += 1
        }
        var transactions: [[Item]] = []
        for part in parts {
            if let last = transactions.last, last.count + part.count <= sharedLimit {
                transactions[transactions.count - 1].append(contentsOf: part)
            } else {
                transactions.append(Array(part))
            }
        }
        return transactions
    }
}
