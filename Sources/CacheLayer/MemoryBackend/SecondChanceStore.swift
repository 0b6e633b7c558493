import Synchronization

/// A key whose hash is computed once, so choosing a shard and probing the index share it.
struct HashedKey: Sendable {
    let key: CacheKey
    let hash: Int

    init(_ key: CacheKey) {
        self.key = key
        self.hash = key.hashValue
    }
}

/// One shard of the memory backend: a byte- and count-bounded cache with per-entry deadlines, evicting in
/// approximately least-recently-used order (second chance, also known as CLOCK).
///
/// Entries live in a slot array linked into a doubly linked list by index (no node objects to allocate): writes put
/// an entry at the front, and eviction takes entries from the back. A read does not move its entry; it only sets
/// the entry's *referenced* mark, and only when the mark is not already set. When a marked entry reaches the back
/// while space is being made, it loses the mark and goes back to the front instead of being evicted (a second
/// chance); an unmarked one is evicted. So an entry that was read since it last passed the back of the list is
/// never evicted before one that was not, which approximates LRU closely (CLOCK), while a read hit of a marked entry
/// writes nothing at all: in steady state, reads on two cores do not fight over the store's memory.
///
/// Reads can therefore run side by side: ``read(_:now:)`` only reads the store, apart from the marks, which are
/// atomic bytes in a buffer of their own. Everything else changes the store and needs exclusive access (see
/// ``MemoryShard``).
///
/// The index is an open-addressing table of slot numbers probed linearly with the key's precomputed hash, so a
/// lookup hashes the key once (SipHash, through `Hasher`) and keeps no second copy of it. Every operation is O(1)
/// amortised (each second chance uses up a mark that one read set), except ``removeAll(in:)``, which is O(entries).
///
/// Expired entries are never returned. They are removed when touched, or when they reach the back of the list while
/// space is being made (counted as expirations, not evictions, whatever their mark).
struct SecondChanceStore: ~Copyable {
    /// Running totals, read before and after an operation to report what it changed.
    struct Counters: Sendable, Equatable {
        var bytes = 0
        var entries = 0
        var hits = 0
        var misses = 0
        var evictions = 0
        var expirations = 0
    }

    private struct Node: Sendable {
        var key: HashedKey?
        var value: [UInt8]
        /// Deadline in clock nanoseconds; 0 means the entry never expires.
        var expiresAt: UInt64
        var cost: Int
        var previous: Int32
        var next: Int32
    }

    /// What a shared read found.
    enum Read {
        case hit([UInt8])
        case miss
        /// The entry's deadline has passed: it must be removed, which needs exclusive access.
        case expired
    }

    private static let none: Int32 = -1

    let byteBudget: Int
    let entryLimit: Int
    private(set) var counters = Counters()

    private var nodes: [Node] = []
    /// One referenced mark per slot (1: read since written or last given a second chance), atomic so that readers
    /// sharing the store can set them. Allocated for `markCapacity` slots.
    private var marks: UnsafeMutablePointer<Atomic<UInt8>>
    private var markCapacity: Int
    private var freeSlots: [Int32] = []
    /// Open addressing: each bucket holds a slot number or `none`; the table is at most half full.
    private var buckets: [Int32] = Array(repeating: SecondChanceStore.none, count: 16)
    /// The most recently written (or second-chanced) entry.
    private var head: Int32 = SecondChanceStore.none
    /// The back of the list: the next entry to be evicted, or given a second chance if it is marked.
    private var tail: Int32 = SecondChanceStore.none

    init(byteBudget: Int, entryLimit: Int) {
        precondition(byteBudget > 0 && entryLimit > 0)
        self.byteBudget = byteBudget
        self.entryLimit = entryLimit
        self.markCapacity = 16
        self.marks = Self.allocateMarks(self.markCapacity)
    }

    deinit {
        self.marks.deinitialize(count: self.markCapacity)
        self.marks.deallocate()
    }

    private static func allocateMarks(_ count: Int) -> UnsafeMutablePointer<Atomic<UInt8>> {
        let marks = UnsafeMutablePointer<Atomic<UInt8>>.allocate(capacity: count)
        for index in 0..<count {
            (marks + index).initialize(to: Atomic(0))
        }
        return marks
    }

    private func isMarked(_ slot: Int32) -> Bool {
        self.marks[Int(slot)].load(ordering: .relaxed) != 0
    }

    /// Sets the mark of `slot`, writing only when it is not set yet.
    private func mark(_ slot: Int32) {
        if self.marks[Int(slot)].load(ordering: .relaxed) == 0 {
            self.marks[Int(slot)].store(1, ordering: .relaxed)
        }
    }

    private func unmark(_ slot: Int32) {
        self.marks[Int(slot)].store(0, ordering: .relaxed)
    }

    // MARK: Operations

    /// Returns the live value for `key` and marks it referenced (a write only when it was not marked yet).
    mutating func get(_ key: HashedKey, now: () -> UInt64) -> [UInt8]? {
        guard let slot = self.liveSlot(for: key, now: now) else {
            self.counters.misses += 1
            return nil
        }
        self.mark(slot)
        self.counters.hits += 1
        return self.nodes[Int(slot)].value
    }

    /// ``get(_:now:)`` for a reader sharing the store with other readers: it changes nothing but the entry's mark,
    /// and counts nothing (the caller counts hits and misses). An expired entry is reported, not removed.
    func read(_ key: HashedKey, now: () -> UInt64) -> Read {
        guard let (_, slot) = self.find(key) else { return .miss }
        let expiresAt = self.nodes[Int(slot)].expiresAt
        if expiresAt != 0 && expiresAt <= now() { return .expired }
        self.mark(slot)
        return .hit(self.nodes[Int(slot)].value)
    }

    /// Makes room at the back of the list for the entry's cost, then stores `value` at the front, unmarked.
    ///
    /// - Throws: ``CacheError/Code/valueTooLarge`` when `cost` exceeds the byte budget; the store is unchanged.
    mutating func set(_ key: HashedKey, value: [UInt8], cost: Int, expiresAt: UInt64, now: UInt64) throws(CacheError) {
        guard cost <= self.byteBudget else {
            throw CacheError(
                .valueTooLarge,
                // No key in the message: error messages reach telemetry, where keys obey the key-capture setting.
                "the entry costs \(cost) bytes (key, value and overhead); the most one memory shard holds is \(self.byteBudget)"
            )
        }
        if let (_, slot) = self.find(key) {
            // Out of the list (still indexed) while room is made, so making room never evicts the entry being
            // written.
            let index = Int(slot)
            self.unlink(slot)
            self.counters.bytes -= self.nodes[index].cost
            self.counters.entries -= 1
            self.makeRoom(for: cost, now: now)
            self.nodes[index].value = value
            self.nodes[index].cost = cost
            self.nodes[index].expiresAt = expiresAt
            self.unmark(slot)
            self.linkAtFront(slot)
        } else {
            self.makeRoom(for: cost, now: now)
            // Grow the index before the new node exists, so growing does not index it already.
            if (self.counters.entries + 1) * 2 > self.buckets.count {
                self.growIndex()
            }
            let node = Node(
                key: key, value: value, expiresAt: expiresAt, cost: cost, previous: Self.none, next: Self.none)
            let slot = self.allocate(node)
            self.insertIntoIndex(slot, hash: key.hash)
            self.linkAtFront(slot)
        }
        self.counters.bytes += cost
        self.counters.entries += 1
    }

    /// Stores `value` only if `key` has no live value. Returns whether it stored it.
    mutating func setIfAbsent(
        _ key: HashedKey,
        value: [UInt8],
        cost: Int,
        expiresAt: UInt64,
        now: UInt64
    ) throws(CacheError) -> Bool {
        if self.liveSlot(for: key, now: { now }) != nil {
            return false
        }
        try self.set(key, value: value, cost: cost, expiresAt: expiresAt, now: now)
        return true
    }

    /// Removes `key`; returns whether a live value was removed.
    mutating func delete(_ key: HashedKey, now: () -> UInt64) -> Bool {
        guard let slot = self.liveSlot(for: key, now: now) else { return false }
        self.remove(slot)
        return true
    }

    /// Removes `key` if its live value equals `expected`; returns whether it did.
    mutating func delete(_ key: HashedKey, ifValueEquals expected: [UInt8], now: () -> UInt64) -> Bool {
        guard let slot = self.liveSlot(for: key, now: now), self.nodes[Int(slot)].value == expected else {
            return false
        }
        self.remove(slot)
        return true
    }

    /// Removes every entry of `namespace`.
    mutating func removeAll(in namespace: CacheNamespace) {
        let doomed = self.nodes.indices.filter { self.nodes[$0].key?.key.namespace == namespace }
        for slot in doomed {
            self.remove(Int32(slot))
        }
    }

    /// Walks the whole structure and returns a description of the first broken invariant, or `nil` when the list,
    /// the index and the counters agree and the limits hold. O(entries): for tests.
    func brokenInvariant() -> String? {
        var seen = 0
        var bytes = 0
        var previous = Self.none
        var slot = self.head
        while slot != Self.none {
            let node = self.nodes[Int(slot)]
            guard let key = node.key, self.find(key)?.slot == slot else {
                return "slot \(slot) is linked but not indexed"
            }
            guard node.previous == previous else { return "slot \(slot) has a wrong back link" }
            seen += 1
            bytes += node.cost
            guard seen <= self.counters.entries else { return "the recency list is longer than the count (a cycle?)" }
            previous = slot
            slot = node.next
        }
        let indexed = self.buckets.filter { $0 != Self.none }.count
        if previous != self.tail { return "the tail is not the last linked slot" }
        if seen != indexed { return "\(seen) linked entries but \(indexed) indexed" }
        if seen != self.counters.entries { return "\(seen) entries but the counter says \(self.counters.entries)" }
        if bytes != self.counters.bytes { return "\(bytes) bytes linked but the counter says \(self.counters.bytes)" }
        if bytes > self.byteBudget { return "\(bytes) bytes exceed the budget of \(self.byteBudget)" }
        if seen > self.entryLimit { return "\(seen) entries exceed the limit of \(self.entryLimit)" }
        if self.nodes.count != seen + self.freeSlots.count { return "slots leak: \(self.nodes.count) slots" }
        if indexed * 2 > self.buckets.count { return "the index is more than half full" }
        return nil
    }

    // MARK: Index

    /// The bucket and slot holding `key`, if any.
    private func find(_ key: HashedKey) -> (bucket: Int, slot: Int32)? {
        let mask = self.buckets.count - 1
        var bucket = key.hash & mask
        while true {
            let slot = self.buckets[bucket]
            if slot == Self.none { return nil }
            // Compare in place (hash first) rather than copying the stored key out.
            if self.nodes[Int(slot)].key?.hash == key.hash && self.nodes[Int(slot)].key?.key == key.key {
                return (bucket, slot)
            }
            bucket = (bucket + 1) & mask
        }
    }

    private mutating func insertIntoIndex(_ slot: Int32, hash: Int) {
        let mask = self.buckets.count - 1
        var bucket = hash & mask
        while self.buckets[bucket] != Self.none {
            bucket = (bucket + 1) & mask
        }
        self.buckets[bucket] = slot
    }

    /// Empties `bucket`, shifting later entries of the same probe run back so lookups never stop early
    /// (deletion without tombstones).
    private mutating func removeFromIndex(bucket: Int) {
        let mask = self.buckets.count - 1
        var hole = bucket
        var next = bucket
        while true {
            next = (next + 1) & mask
            let slot = self.buckets[next]
            if slot == Self.none { break }
            let home = self.nodes[Int(slot)].key!.hash & mask
            // The entry may move into the hole unless its home lies cyclically in (hole, next].
            let staysPut = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next)
            if !staysPut {
                self.buckets[hole] = slot
                hole = next
            }
        }
        self.buckets[hole] = Self.none
    }

    private mutating func growIndex() {
        let capacity = self.buckets.count * 2
        self.buckets = Array(repeating: Self.none, count: capacity)
        let mask = capacity - 1
        for (slot, node) in self.nodes.enumerated() {
            guard let key = node.key else { continue }
            var bucket = key.hash & mask
            while self.buckets[bucket] != Self.none {
                bucket = (bucket + 1) & mask
            }
            self.buckets[bucket] = Int32(slot)
        }
    }

    // MARK: Entries

    /// The slot of `key` if it holds a live entry; an expired entry found on the way is removed.
    private mutating func liveSlot(for key: HashedKey, now: () -> UInt64) -> Int32? {
        guard let (bucket, slot) = self.find(key) else { return nil }
        let expiresAt = self.nodes[Int(slot)].expiresAt
        if expiresAt != 0 && expiresAt <= now() {
            self.remove(slot, bucket: bucket)
            self.counters.expirations += 1
            return nil
        }
        return slot
    }

    /// Takes entries from the back of the list until one more entry of `cost` bytes fits within both limits:
    /// an expired entry is removed (an expiration), a marked one loses its mark and goes to the front (its second
    /// chance), an unmarked one is evicted. It ends, because every entry passes the back at most twice before the
    /// list is empty, and an empty list has room for any entry `set` accepts (it refuses one larger than the budget).
    private mutating func makeRoom(for cost: Int, now: UInt64) {
        while self.counters.bytes + cost > self.byteBudget || self.counters.entries + 1 > self.entryLimit {
            let victim = self.tail
            precondition(victim != Self.none, "an empty shard has room for any entry it accepts")
            let index = Int(victim)
            let expiresAt = self.nodes[index].expiresAt
            if expiresAt != 0 && expiresAt <= now {
                self.counters.expirations += 1
            } else if self.isMarked(victim) {
                self.unmark(victim)
                self.moveToFront(victim)
                continue
            } else {
                self.counters.evictions += 1
            }
            self.remove(victim)
        }
    }

    private mutating func allocate(_ node: Node) -> Int32 {
        if let slot = self.freeSlots.popLast() {
            self.nodes[Int(slot)] = node
            return slot
        }
        precondition(self.nodes.count < Int(Int32.max), "a memory shard holds at most Int32.max entries")
        if self.nodes.count == self.markCapacity {
            self.growMarks()
        }
        self.nodes.append(node)
        return Int32(self.nodes.count - 1)
    }

    private mutating func remove(_ slot: Int32, bucket: Int? = nil) {
        let index = Int(slot)
        guard let key = self.nodes[index].key else { return }
        self.removeFromIndex(bucket: bucket ?? self.find(key)!.bucket)
        self.unlink(slot)
        self.counters.bytes -= self.nodes[index].cost
        self.counters.entries -= 1
        // Release the key and value now; the slot is reused by the next insert.
        self.nodes[index].key = nil
        self.nodes[index].value = []
        self.nodes[index].cost = 0
        self.unmark(slot)
        self.freeSlots.append(slot)
    }

    /// Doubles the marks buffer, keeping the marks.
    private mutating func growMarks() {
        let capacity = self.markCapacity * 2
        let marks = Self.allocateMarks(capacity)
        for index in 0..<self.markCapacity {
            marks[index].store(self.marks[index].load(ordering: .relaxed), ordering: .relaxed)
        }
        self.marks.deinitialize(count: self.markCapacity)
        self.marks.deallocate()
        self.marks = marks
        self.markCapacity = capacity
    }

    private mutating func moveToFront(_ slot: Int32) {
        guard slot != self.head else { return }
        self.unlink(slot)
        self.linkAtFront(slot)
    }

    private mutating func linkAtFront(_ slot: Int32) {
        self.nodes[Int(slot)].previous = Self.none
        self.nodes[Int(slot)].next = self.head
        if self.head != Self.none {
            self.nodes[Int(self.head)].previous = slot
        }
        self.head = slot
        if self.tail == Self.none {
            self.tail = slot
        }
    }

    private mutating func unlink(_ slot: Int32) {
        let previous = self.nodes[Int(slot)].previous
        let next = self.nodes[Int(slot)].next
        if previous != Self.none {
            self.nodes[Int(previous)].next = next
        } else {
            self.head = next
        }
        if next != Self.none {
            self.nodes[Int(next)].previous = previous
        } else {
            self.tail = previous
        }
        self.nodes[Int(slot)].previous = Self.none
        self.nodes[Int(slot)].next = Self.none
    }
}
