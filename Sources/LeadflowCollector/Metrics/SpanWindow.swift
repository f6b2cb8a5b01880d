import Foundation
import Histogram

/// The sliding window of one span series: a ring of sub-window slots, each covering `slotSeconds` of receive
/// time, so the window forgets its oldest slot as time moves on instead of decaying every value.
///
/// A slot is identified by its epoch (`floor(time / slotSeconds)`); a slot whose epoch is older than the
/// current one is reset before it is reused, and the window at time `t` is the union of the slots whose epochs
/// lie in the last `slots.count` epochs up to `t`.
struct SpanWindow: Sendable {
    struct Slot: Sendable {
        var epoch: Int64 = .min
        /// Durations in microseconds, 3 significant digits, growing as larger values arrive.
        var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        var sum: Double = 0
        var outcomes: [String: UInt64] = [:]
        /// The latest `maxPairs` (item count, query count) pairs, as a ring.
        var pairs: [ItemQueries] = []
        var pairsSeen = 0

        mutating func reset(to epoch: Int64) {
            self.epoch = epoch
            histogram.reset()
            sum = 0
            outcomes.removeAll(keepingCapacity: true)
            pairs.removeAll(keepingCapacity: true)
            pairsSeen = 0
        }
    }

    /// What the window holds at one time, merged over its live slots.
    struct Contents: Sendable {
        var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        var sum: Double = 0
        var outcomes: [String: UInt64] = [:]
        var pairs: [ItemQueries] = []
        /// Seconds of receive time the live slots cover, up to `time`.
        var coveredSeconds: Double = 0
    }

    private var slots: [Slot]
    let slotSeconds: Double
    let maxPairs: Int

    init(slots: Int, slotSeconds: Double, maxPairsPerSlot: Int) {
        self.slots = Array(repeating: Slot(), count: slots)
        self.slotSeconds = slotSeconds
        self.maxPairs = maxPairsPerSlot
    }

    func epoch(of time: Date) -> Int64 {
        let position = (time.timeIntervalSince1970 / slotSeconds).rounded(.down)
        // A date outside Int64's range is nonsense from a broken clock; pinning it keeps the arithmetic total.
        return Int64(exactly: position) ?? (position < 0 ? .min / 2 : .max / 2)
    }

    private func index(of epoch: Int64) -> Int {
        let count = Int64(slots.count)
        return Int(((epoch % count) + count) % count)
    }

    /// Records one span received at `time`; one older than the window (a clock stepped back) is left out.
    mutating func record(microseconds: UInt64, outcome: String, pair: ItemQueries?, at time: Date) {
        let epoch = epoch(of: time)
        let index = index(of: epoch)
        if slots[index].epoch > epoch { return }
        if slots[index].epoch < epoch { slots[index].reset(to: epoch) }
        _ = slots[index].histogram.record(microseconds)
        slots[index].sum += Double(microseconds) / 1_000_000
        slots[index].outcomes[outcome, default: 0] += 1
        if let pair, maxPairs > 0 {
            if slots[index].pairs.count < maxPairs {
                slots[index].pairs.append(pair)
            } else {
                slots[index].pairs[slots[index].pairsSeen % maxPairs] = pair
            }
            slots[index].pairsSeen += 1
        }
    }

    /// The union of the slots still inside the window at `time`.
    func contents(at time: Date) -> Contents {
        let current = epoch(of: time)
        let oldest = current - Int64(slots.count) + 1
        var contents = Contents()
        for slot in slots where slot.epoch >= oldest && slot.epoch <= current {
            contents.histogram.add(slot.histogram)
            contents.sum += slot.sum
            contents.outcomes.merge(slot.outcomes, uniquingKeysWith: +)
            contents.pairs.append(contentsOf: slot.pairs)
        }
        let currentSlotStart = Double(current) * slotSeconds
        contents.coveredSeconds =
            Double(slots.count - 1) * slotSeconds + max(0, time.timeIntervalSince1970 - currentSlotStart)
        return contents
    }
}
