/// How a batch of results pulled from the handlers is split into transactions, fairly across organizations.
///
/// A result transaction's start is when its results count as applied and its commit is when the leads' next
/// actions become due, so a transaction is how long one organization's results wait behind the others'. With
/// results of one organization in hand, the batch is one transaction, as pulled. With several, the results
/// are put in turns — each organization's first result, then each one's second, … (each organization's in
/// the order they came, so an IN_PROGRESS still comes before the success that follows it) — and applied
/// `sharedLimit` at a time: a tenant with a few results is in the first, short transaction, not behind a big
/// tenant's hundreds.
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
        var turns: [Item] = []
        turns.reserveCapacity(items.count)
        var round = 0
        while turns.count < items.count {
            for org in order {
                if let queue = queues[org], round < queue.count { turns.append(queue[round]) }
            }
            round += 1
        }
        return stride(from: 0, to: turns.count, by: sharedLimit).map {
            Array(turns[$0..<min($0 + sharedLimit, turns.count)])
        }
    }
}
