import LeadflowBus
import LeadflowDomain
import LeadflowProto
import Logging

/// Publishes the scheduler's receipts: after a result transaction commits, one `receipt.<type>` message per
/// type (at most ``maxEntries`` results each) naming the action and attempt of every final result it took, so
/// that handlers stop keeping those results (action_result.proto, `ResultReceipt`).
struct ReceiptPublisher: Sendable {
    /// One final result a transaction took.
    struct Applied: Sendable {
        var type: ActionType
        var actionID: Int
        var attempt: Int
    }

    static let maxEntries = 1_000

    let publisher: BusPublisher
    let logger: Logger

    /// Publishes receipts for `results`; returns how many results' receipts the socket could not take (their
    /// handlers push them again, and get a receipt then).
    @discardableResult
    func publish(_ results: [Applied]) -> Int {
        var refused = 0
        for (type, applied) in Dictionary(grouping: results, by: \.type) {
            var start = 0
            while start < applied.count {
                let part = applied[start..<min(start + Self.maxEntries, applied.count)]
                start += part.count
                var receipt = Leadflow_V1_ResultReceipt()
                receipt.results = part.map { result in
                    .with {
                        $0.actionID = Int64(result.actionID)
                        $0.attempt = UInt32(clamping: result.attempt)
                    }
                }
                do {
                    let envelope = try Envelope(subject: Subject(tokens: ["receipt", type.rawValue]), message: receipt)
                    if !publisher.publish(envelope) { refused += part.count }
                } catch {
                    refused += part.count
                    logger.error("receipt not encoded", metadata: ["count": "\(part.count)", "error": "\(error)"])
                }
            }
        }
        return refused
    }

    func close() async { await publisher.close() }
}
