import Synchronization

/// Makes `Nats-Msg-Id`s unique across processes and restarts: a random 64-bit prefix drawn when the generator
/// is made, then a counter — `3f9c0a5e1b7d2468-1`, `…-2`, ….
///
/// Two processes (or two starts of one) share a prefix with probability 2⁻⁶⁴, so ingest's deduplication never
/// takes a new message for an old one; the counter keeps ids short and cheap, with no clock involved.
final class MsgIDGenerator: Sendable {
    /// The generator of this process.
    static let process = MsgIDGenerator()

    let prefix: String
    private let counter = Atomic<UInt64>(0)

    init() {
        let random = UInt64.random(in: .min ... .max)
        let hex = String(random, radix: 16)
        prefix = String(repeating: "0", count: 16 - hex.count) + hex
    }

    func next() -> String {
        let number = counter.add(1, ordering: .relaxed).newValue
        return prefix + "-" + String(number, radix: 16)
    }
}
