/// A map of at most `capacity` entries that, when full, makes room by dropping the entry used least recently:
/// the scheduler's cache of action configs, which would otherwise keep every pipeline version's actions for
/// the life of the process. Pure and not thread-safe; wrap it in a `Mutex`.
struct LeastRecentlyUsed<Key: Hashable, Value> {
    /// One entry, linked to its neighbours in the order of use (slots in ``entries``, never moved).
    private struct Entry {
        var key: Key
        var value: Value
        var older: Int?
        var newer: Int?
    }

    let capacity: Int
    private var entries: [Entry] = []
    private var slots: [Key: Int] = [:]
    private var newest: Int?
    private var oldest: Int?

    init(capacity: Int) {
        precondition(capacity > 0, "a cache must hold at least one entry")
        self.capacity = capacity
    }

    var count: Int { slots.count }

    /// The value of `key`, which becomes the entry used most recently; `nil` when it is not held.
    mutating func value(for key: Key) -> Value? {
        guard let slot = slots[key] else { return nil }
        touch(slot)
        return entries[slot].value
    }

    /// Holds `value` for `key` as the entry used most recently; returns the key dropped to make room, if any.
    @discardableResult
    mutating func set(_ value: Value, for key: Key) -> Key? {
        if let slot = slots[key] {
            entries[slot].value = value
            touch(slot)
            return nil
        }
        guard entries.count == capacity, let slot = oldest else {
            entries.append(Entry(key: key, value: value))
            let slot = entries.count - 1
            slots[key] = slot
            link(slot)
            return nil
        }
        let evicted = entries[slot].key
        unlink(slot)
        slots[evicted] = nil
        entries[slot] = Entry(key: key, value: value)
        slots[key] = slot
        link(slot)
        return evicted
    }

    /// Makes `slot` the entry used most recently.
    private mutating func touch(_ slot: Int) {
        guard newest != slot else { return }
        unlink(slot)
        link(slot)
    }

    /// Puts `slot`, not linked, in front as the newest.
    private mutating func link(_ slot: Int) {
        entries[slot].older = newest
        entries[slot].newer = nil
        if let newest { entries[newest].newer = slot }
        newest = slot
        if oldest == nil { oldest = slot }
    }

    private mutating func unlink(_ slot: Int) {
        let (older, newer) = (entries[slot].older, entries[slot].newer)
        if let older { entries[older].newer = newer } else { oldest = newer }
        if let newer { entries[newer].older = older } else { newest = older }
        entries[slot].older = nil
        entries[slot].newer = nil
    }
}
