import Synchronization

/// One shard of the memory backend: a byte- and count-bounded cache with per-entry deadlines, evicting by its
/// ``MemoryBackend/EvictionPolicy``: W-TinyLFU (the default), S3-FIFO or second chance (CLOCK).
///
/// Entries live in a slot array linked by index into two first-in first-out queues (no node objects to allocate):
/// the *small* queue, where new entries start (W-TinyLFU's window), and the *main* queue. Each entry has a small
/// access counter, raised by reads up to ``frequencyCap`` and only written while below it, so that a read hit of a
/// popular entry writes nothing at all and reads on two cores do not fight over the store's memory. The main queue is
/// CLOCK: at its back, an entry read since it last passed there goes back to the front with its counter lowered by
/// one; an unread one is evicted. Space is taken from the main queue while it holds more than its share of the budget
/// (the budget less the small queue's) or the small queue is empty, else from the back of the small queue, where the
/// policies differ:
///
/// - **S3-FIFO** (Yang et al., SOSP 2023; the small queue holds 10% of the budget): an entry read at least twice
///   there moves to the front of the main queue; any other is evicted and its key's hash goes into the
///   ``GhostQueue``. A key written while its hash is in the ghost goes straight to the main queue.
/// - **W-TinyLFU** (Einziger et al., 2017; the window holds 1%): the entry moves to the main queue while that has
///   room; otherwise it is compared with the main queue's next victim (the CLOCK hand is run until the entry at the
///   back is unread) by the ``FrequencySketch``'s estimates, and the one requested more often stays: the candidate
///   replaces the victim only if its estimate is higher. The sketch is fed under exclusive access only, never by a
///   read: a new key counts once when it is written, and an entry's reads count when its counter is next looked at
///   (when it leaves, or passes the back of the main queue): the reads since it was last looked at (the counter less
///   `seen`). A read hit therefore writes no more than under S3-FIFO.
/// - **Second chance**: no small queue and counters up to 1 (a referenced mark): CLOCK.
///
/// So under the first two, a key seen once (a scan) passes through the small queue without displacing what the main
/// queue holds, which plain recency policies cannot do.
///
/// Reads can run side by side: ``read(_:now:)`` only reads the store, apart from the counters, which are atomic
/// bytes in a buffer of their own. Everything else changes the store and needs exclusive access (see
/// ``MemoryShard``). Two readers raising one counter at once may lose one raise; that only makes the frequency
/// estimate lower, never the store inconsistent.
///
/// The index is an open-addressing table of slot numbers probed linearly with the key's hash. Every operation takes
/// the key and its `hashValue`, which the caller computes once and also picks the shard with, so a lookup hashes the
/// key once (SipHash, through `Hasher`) and copies neither the key nor the stored one. Every operation is O(1)
/// amortised (each reinsertion at a queue's front uses up a raise that one read made), except
/// ``removeAll(in:)``, which is O(entries).
///
/// Expired entries are never returned. They are removed when touched, or when they reach the back of a queue while
/// space is being made (counted as expirations, not evictions, whatever their counter).
struct ShardStore: ~Copyable {
    /// Running totals, read before and after an operation to report what it changed.
    struct Counters: Sendable, Equatable {
        var bytes = 0
        var entries = 0
        var hits = 0
        var misses = 0
        var evictions = 0
        var expirations = 0
    }

    /// Which queue an entry is in.
    enum Queue: UInt8, Sendable {
        case small
        case main
    }

    private struct Node: Sendable {
        /// `nil` while the slot is free.
        var key: CacheKey?
        /// The key's `hashValue`, computed once by the caller of each operation (meaningless while the slot is free).
        var hash: Int
        var value: [UInt8]
        /// Deadline in clock nanoseconds; 0 means the entry never expires.
        var expiresAt: UInt64
        var cost: Int
        var previous: Int32
        var next: Int32
        var queue: Queue
        /// The access counter when W-TinyLFU last fed this entry's reads to the sketch (changed only under
        /// exclusive access).
        var seen: UInt8 = 0
    }

    /// One queue's ends and bytes.
    private struct QueueEnds: Sendable {
        /// The most recently inserted (or reinserted) entry.
        var head: Int32 = ShardStore.none
        /// The next entry to leave.
        var tail: Int32 = ShardStore.none
        var bytes = 0
        var entries = 0
    }

    /// What a shared read found.
    enum Read {
        case hit([UInt8])
        case miss
        /// The entry's deadline has passed: it must be removed, which needs exclusive access.
        case expired
    }

    private static let none: Int32 = -1
    /// How many reads in the small queue earn an entry its move to the main one (libCacheSim's default).
    static let promotionThreshold: UInt8 = 2

    let byteBudget: Int
    let entryLimit: Int
    let policy: MemoryBackend.EvictionPolicy
    /// The highest value of an entry's access counter.
    let frequencyCap: UInt8
    /// The bytes the small queue (W-TinyLFU's window) may hold before space is made from it rather than from the main
    /// queue.
    let smallQueueShare: Int
    private(set) var counters = Counters()

    private var nodes: [Node] = []
    /// One access counter per slot, atomic so that readers sharing the store can raise them. Allocated for
    /// `counterCapacity` slots.
    private var accessCounts: UnsafeMutablePointer<Atomic<UInt8>>
    private var counterCapacity: Int
    private var freeSlots: [Int32] = []
    /// Open addressing: each bucket holds a slot number or `none`; the table is at most half full.
    private var buckets: [Int32] = Array(repeating: ShardStore.none, count: 16)
    private var small = QueueEnds()
    private var main = QueueEnds()
    /// Hashes of keys recently evicted from the small queue, as many as the shard has slots (S3-FIFO only).
    private var ghost = GhostQueue()
    /// How often keys were requested (W-TinyLFU only).
    private var sketch = FrequencySketch()

    init(byteBudget: Int, entryLimit: Int, policy: MemoryBackend.EvictionPolicy) {
        precondition(byteBudget > 0 && entryLimit > 0)
        self.byteBudget = byteBudget
        self.entryLimit = entryLimit
        self.policy = policy
        switch policy {
        case .windowTinyLFU:
            self.frequencyCap = 3
            self.smallQueueShare = byteBudget / 100
        case .s3FIFO:
            self.frequencyCap = 3
            self.smallQueueShare = byteBudget / 10
        case .secondChance:
            self.frequencyCap = 1
            self.smallQueueShare = 0
        }
        self.counterCapacity = 16
        self.accessCounts = Self.allocateCounters(self.counterCapacity)
    }

    deinit {
        self.accessCounts.deinitialize(count: self.counterCapacity)
        self.accessCounts.deallocate()
    }

    private static func allocateCounters(_ count: Int) -> UnsafeMutablePointer<Atomic<UInt8>> {
        let counters = UnsafeMutablePointer<Atomic<UInt8>>.allocate(capacity: count)
        for index in 0..<count {
            (counters + index).initialize(to: Atomic(0))
        }
        return counters
    }

    private func accessCount(_ slot: Int32) -> UInt8 {
        self.accessCounts[Int(slot)].load(ordering: .relaxed)
    }

    /// Raises the access counter of `slot` by one, writing only when it is below the cap.
    private func recordAccess(_ slot: Int32) {
        let count = self.accessCounts[Int(slot)].load(ordering: .relaxed)
        if count < self.frequencyCap {
            self.accessCounts[Int(slot)].store(count + 1, ordering: .relaxed)
        }
    }

    private func setAccessCount(_ slot: Int32, _ count: UInt8) {
        self.accessCounts[Int(slot)].store(count, ordering: .relaxed)
    }

    /// W-TinyLFU: feeds the sketch the reads of `slot` since it was last looked at, and remembers its counter as
    /// looked at.
    private mutating func feedSketch(_ slot: Int32) {
        guard self.policy == .windowTinyLFU else { return }
        let index = Int(slot)
        let count = self.accessCount(slot)
        let seen = self.nodes[index].seen
        if count > seen {
            let hash = self.nodes[index].hash
            for _ in 0..<(count - seen) { self.sketch.add(hash) }
        }
        self.nodes[index].seen = count
    }

    /// Sets the access counter of `slot`, as looked at by W-TinyLFU.
    private mutating func resetAccessCount(_ slot: Int32, to count: UInt8) {
        self.setAccessCount(slot, count)
        self.nodes[Int(slot)].seen = count
    }

    // MARK: Operations

    /// Returns the live value for `key` and raises its access counter (a write only when below the cap).
    mutating func get(_ key: CacheKey, hash: Int, now: () -> UInt64) -> [UInt8]? {
        guard let slot = self.liveSlot(for: key, hash: hash, now: now) else {
            self.counters.misses += 1
            return nil
        }
        self.recordAccess(slot)
        self.counters.hits += 1
        return self.nodes[Int(slot)].value
    }

    /// Whether `key` has a live value, without counting a read (an expired entry is removed, as a read would).
    mutating func holds(_ key: CacheKey, hash: Int, now: () -> UInt64) -> Bool {
        self.liveSlot(for: key, hash: hash, now: now) != nil
    }

    /// ``get(_:hash:now:)`` for a reader sharing the store with other readers: it changes nothing but the entry's access
    /// counter, and counts nothing (the caller counts hits and misses). An expired entry is reported, not removed.
    /// Inlined, as is ``find(_:hash:)``: called on a store read through a pointer (a reader's), the store (248 bytes)
    /// was copied to the stack for the call on every read.
    @inline(__always)
    func read(_ key: CacheKey, hash: Int, now: () -> UInt64) -> Read {
        guard let (_, slot) = self.find(key, hash: hash) else { return .miss }
        let expiresAt = self.nodes[Int(slot)].expiresAt
        if expiresAt != 0 && expiresAt <= now() { return .expired }
        self.recordAccess(slot)
        return .hit(self.nodes[Int(slot)].value)
    }

    /// Makes room for the entry's cost, then stores `value` with its access counter at 0: a new key at the front of
    /// the small queue (the main queue when its hash is in the ghost, or under second chance), a key already held at
    /// the front of the queue it is in.
    ///
    /// - Throws: ``CacheError/Code/valueTooLarge`` when `cost` exceeds the byte budget; the store is unchanged.
    mutating func set(
        _ key: CacheKey, hash: Int, value: [UInt8], cost: Int, expiresAt: UInt64, now: () -> UInt64
    ) throws(CacheError) {
        guard cost <= self.byteBudget else {
            throw CacheError(
                .valueTooLarge,
                // No key in the message: error messages reach telemetry, where keys obey the key-capture setting.
                "the entry costs \(cost) bytes (key, value and overhead); the most one memory shard holds is \(self.byteBudget)"
            )
        }
        if let (_, slot) = self.find(key, hash: hash) {
            // Out of its queue (still indexed) while room is made, so making room never evicts the entry being
            // written.
            let index = Int(slot)
            self.feedSketch(slot)
            self.unlink(slot)
            self.counters.bytes -= self.nodes[index].cost
            self.counters.entries -= 1
            if self.needsRoom(for: cost) { self.makeRoom(for: cost, now: now()) }
            self.nodes[index].value = value
            self.nodes[index].cost = cost
            self.nodes[index].expiresAt = expiresAt
            self.resetAccessCount(slot, to: 0)
            self.linkAtFront(slot, of: self.nodes[index].queue)
        } else {
            if self.policy == .windowTinyLFU { self.sketch.add(hash) }
            if self.needsRoom(for: cost) { self.makeRoom(for: cost, now: now()) }
            // Grow the index before the new node exists, so growing does not index it already.
            if (self.counters.entries + 1) * 2 > self.buckets.count {
                self.growIndex()
            }
            let queue: Queue = self.smallQueueShare == 0 || self.ghost.remove(hash) ? .main : .small
            let node = Node(
                key: key, hash: hash, value: value, expiresAt: expiresAt, cost: cost,
                previous: Self.none, next: Self.none, queue: queue)
            let slot = self.allocate(node)
            self.insertIntoIndex(slot, hash: hash)
            self.linkAtFront(slot, of: queue)
        }
        self.counters.bytes += cost
        self.counters.entries += 1
    }

    /// Stores `value` only if `key` has no live value. Returns whether it stored it.
    mutating func setIfAbsent(
        _ key: CacheKey,
        hash: Int,
        value: [UInt8],
        cost: Int,
        expiresAt: UInt64,
        now: () -> UInt64
    ) throws(CacheError) -> Bool {
        if self.liveSlot(for: key, hash: hash, now: now) != nil {
            return false
        }
        try self.set(key, hash: hash, value: value, cost: cost, expiresAt: expiresAt, now: now)
        return true
    }

    /// Removes `key`; returns whether a live value was removed.
    mutating func delete(_ key: CacheKey, hash: Int, now: () -> UInt64) -> Bool {
        guard let slot = self.liveSlot(for: key, hash: hash, now: now) else { return false }
        self.remove(slot)
        return true
    }

    /// Removes `key` if its live value equals `expected`; returns whether it did.
    mutating func delete(_ key: CacheKey, hash: Int, ifValueEquals expected: [UInt8], now: () -> UInt64) -> Bool {
        guard let slot = self.liveSlot(for: key, hash: hash, now: now), self.nodes[Int(slot)].value == expected else {
            return false
        }
        self.remove(slot)
        return true
    }

    /// Removes every entry of `namespace`, or every entry when it is `nil`.
    mutating func removeAll(in namespace: CacheNamespace?) {
        let doomed = self.nodes.indices.filter { slot in
            self.nodes[slot].key.map { key in namespace.map { key.namespace == $0 } ?? true } ?? false
        }
        for slot in doomed {
            self.remove(Int32(slot))
        }
    }

    // MARK: Inspection (tests)

    /// The keys of `queue`, front first, with their access counters. O(entries): for tests.
    func contents(of queue: Queue) -> [(key: CacheKey, accessCount: UInt8)] {
        var result: [(key: CacheKey, accessCount: UInt8)] = []
        var slot = self.ends(of: queue).head
        while slot != Self.none, result.count <= self.counters.entries {
            result.append((self.nodes[Int(slot)].key!, self.accessCount(slot)))
            slot = self.nodes[Int(slot)].next
        }
        return result
    }

    /// The hashes in the ghost, oldest first. O(slots): for tests.
    func ghostHashes() -> [Int] {
        self.ghost.rememberedInOrder()
    }

    /// The frequency sketch's estimate for `key` (W-TinyLFU). For tests.
    func frequencyEstimate(of key: CacheKey) -> Int {
        self.sketch.estimate(key.hashValue)
    }

    /// Walks the whole structure and returns a description of the first broken invariant, or `nil` when the queues,
    /// the index and the counters agree and the limits hold. O(entries): for tests.
    func brokenInvariant() -> String? {
        var seen = 0
        var bytes = 0
        for queue in [Queue.small, .main] {
            let ends = self.ends(of: queue)
            var queueEntries = 0
            var queueBytes = 0
            var previous = Self.none
            var slot = ends.head
            while slot != Self.none {
                let node = self.nodes[Int(slot)]
                guard let key = node.key, node.hash == key.hashValue, self.find(key, hash: node.hash)?.slot == slot
                else {
                    return "slot \(slot) is linked but not indexed, or indexed under another hash"
                }
                guard node.previous == previous else { return "slot \(slot) has a wrong back link" }
                guard node.queue == queue else { return "slot \(slot) is linked into the wrong queue" }
                guard self.accessCount(slot) <= self.frequencyCap else { return "slot \(slot) counts past the cap" }
                queueEntries += 1
                queueBytes += node.cost
                guard queueEntries <= self.counters.entries else {
                    return "a queue is longer than the count (a cycle?)"
                }
                previous = slot
                slot = node.next
            }
            if previous != ends.tail { return "the \(queue) tail is not the last linked slot" }
            if queueEntries != ends.entries || queueBytes != ends.bytes { return "the \(queue) queue's totals are off" }
            seen += queueEntries
            bytes += queueBytes
        }
        if self.smallQueueShare == 0 && self.small.entries != 0 { return "second chance uses the small queue" }
        if self.policy != .s3FIFO && self.ghost.count != 0 { return "only S3-FIFO uses the ghost" }
        let indexed = self.buckets.filter { $0 != Self.none }.count
        if seen != indexed { return "\(seen) linked entries but \(indexed) indexed" }
        if seen != self.counters.entries { return "\(seen) entries but the counter says \(self.counters.entries)" }
        if bytes != self.counters.bytes { return "\(bytes) bytes linked but the counter says \(self.counters.bytes)" }
        if bytes > self.byteBudget { return "\(bytes) bytes exceed the budget of \(self.byteBudget)" }
        if seen > self.entryLimit { return "\(seen) entries exceed the limit of \(self.entryLimit)" }
        if self.nodes.count != seen + self.freeSlots.count { return "slots leak: \(self.nodes.count) slots" }
        if indexed * 2 > self.buckets.count { return "the index is more than half full" }
        return self.ghost.brokenInvariant()
    }

    // MARK: Index

    /// The bucket and slot holding `key`, if any.
    @inline(__always)
    private func find(_ key: CacheKey, hash: Int) -> (bucket: Int, slot: Int32)? {
        let mask = self.buckets.count - 1
        var bucket = hash & mask
        while true {
            let slot = self.buckets[bucket]
            if slot == Self.none { return nil }
            // Compare in place (hash first) rather than copying the stored key out.
            if self.nodes[Int(slot)].hash == hash && self.nodes[Int(slot)].key == key {
                return (bucket, slot)
            }
            bucket = (bucket + 1) & mask
        }
    }

    /// The bucket holding `slot`, which must be indexed: found by the slot number alone, with no key to compare.
    private func bucket(of slot: Int32) -> Int {
        let mask = self.buckets.count - 1
        var bucket = self.nodes[Int(slot)].hash & mask
        while self.buckets[bucket] != slot {
            precondition(self.buckets[bucket] != Self.none, "slot \(slot) is not indexed")
            bucket = (bucket + 1) & mask
        }
        return bucket
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
            let home = self.nodes[Int(slot)].hash & mask
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
            guard node.key != nil else { continue }
            var bucket = node.hash & mask
            while self.buckets[bucket] != Self.none {
                bucket = (bucket + 1) & mask
            }
            self.buckets[bucket] = Int32(slot)
        }
    }

    // MARK: Entries

    /// The slot of `key` if it holds a live entry; an expired entry found on the way is removed.
    private mutating func liveSlot(for key: CacheKey, hash: Int, now: () -> UInt64) -> Int32? {
        guard let (bucket, slot) = self.find(key, hash: hash) else { return nil }
        let expiresAt = self.nodes[Int(slot)].expiresAt
        if expiresAt != 0 && expiresAt <= now() {
            self.remove(slot, bucket: bucket)
            self.counters.expirations += 1
            return nil
        }
        return slot
    }

    /// Takes entries from the back of a queue until one more entry of `cost` bytes fits within both limits: from
    /// the main queue while it holds more than its share (the budget less the small queue's) or the small queue is
    /// empty, from the small queue otherwise. An expired entry is removed (an expiration); at the back of the small
    /// queue, an entry read at least ``promotionThreshold`` times moves to the main queue with its counter at 0, any
    /// other is evicted and remembered in the ghost; at the back of the main queue, a read entry goes back to the
    /// front with its counter lowered by one, an unread one is evicted. It ends: each entry moves from the small queue
    /// at most once and goes round the main queue at most ``frequencyCap`` times before it is evicted, and an empty
    /// store has room for any entry `set` accepts (it refuses one larger than the budget).
    /// Whether one more entry of `cost` bytes exceeds either limit.
    private func needsRoom(for cost: Int) -> Bool {
        self.counters.bytes + cost > self.byteBudget || self.counters.entries + 1 > self.entryLimit
    }

    private mutating func makeRoom(for cost: Int, now: UInt64) {
        if self.policy == .windowTinyLFU {
            self.makeRoomAdmitting(for: cost, now: now)
            return
        }
        while self.needsRoom(for: cost) {
            let fromMain = self.main.bytes > self.byteBudget - self.smallQueueShare || self.small.entries == 0
            let victim = fromMain ? self.main.tail : self.small.tail
            precondition(victim != Self.none, "an empty shard has room for any entry it accepts")
            let index = Int(victim)
            let expiresAt = self.nodes[index].expiresAt
            let count = self.accessCount(victim)
            if expiresAt != 0 && expiresAt <= now {
                self.counters.expirations += 1
            } else if fromMain && count > 0 {
                self.setAccessCount(victim, count - 1)
                self.unlink(victim)
                self.linkAtFront(victim, of: .main)
                continue
            } else if !fromMain && count >= Self.promotionThreshold {
                self.setAccessCount(victim, 0)
                self.unlink(victim)
                self.nodes[index].queue = .main
                self.linkAtFront(victim, of: .main)
                continue
            } else {
                if !fromMain {
                    self.ghost.append(self.nodes[index].hash)
                }
                self.counters.evictions += 1
            }
            self.remove(victim)
        }
    }

    /// ``makeRoom(for:now:)`` under W-TinyLFU. From the main queue as under S3-FIFO (the sketch fed each entry's reads
    /// as it passes the back). From the window, whose back entry is the *candidate*: an expired one is removed; else
    /// it moves to the front of the main queue with its counter at 0 when that queue has room for it within its share;
    /// else the CLOCK hand runs until the main queue's back entry is unread, and that *victim* is evicted and the
    /// candidate moved, when the sketch estimates the candidate more requested than the victim; else the candidate is
    /// evicted (a tie keeps the resident). An expired victim is removed and the loop goes on. It ends as S3-FIFO's
    /// does: each entry leaves the window at most once, and goes round the main queue at most ``frequencyCap`` times.
    private mutating func makeRoomAdmitting(for cost: Int, now: UInt64) {
        while self.needsRoom(for: cost) {
            let mainShare = self.byteBudget - self.smallQueueShare
            if self.main.bytes > mainShare || self.small.entries == 0 {
                let victim = self.main.tail
                precondition(victim != Self.none, "an empty shard has room for any entry it accepts")
                if !self.passBackOfMain(victim, now: now) {
                    self.evict(victim, now: now)
                }
                continue
            }
            let candidate = self.small.tail
            let index = Int(candidate)
            if self.isExpired(candidate, now: now) {
                self.evict(candidate, now: now)
                continue
            }
            self.feedSketch(candidate)
            if self.main.bytes + self.nodes[index].cost <= mainShare {
                self.moveToMain(candidate)
                continue
            }
            var victim = self.main.tail
            while victim != Self.none && self.passBackOfMain(victim, now: now) {
                victim = self.main.tail
            }
            if victim == Self.none {
                self.evict(candidate, now: now)
            } else if self.isExpired(victim, now: now) {
                self.evict(victim, now: now)
            } else if self.sketch.estimate(self.nodes[index].hash)
                > self.sketch.estimate(self.nodes[Int(victim)].hash)
            {
                self.evict(victim, now: now)
                self.moveToMain(candidate)
            } else {
                self.evict(candidate, now: now)
            }
        }
    }

    /// W-TinyLFU: when the main queue's back entry `slot` was read since it last passed there, feeds the sketch and
    /// sends it back to the front with its counter lowered by one, and returns `true`; returns `false` for an unread
    /// (or expired) one, which is the next to leave.
    private mutating func passBackOfMain(_ slot: Int32, now: UInt64) -> Bool {
        let count = self.accessCount(slot)
        guard count > 0, !self.isExpired(slot, now: now) else { return false }
        self.feedSketch(slot)
        self.resetAccessCount(slot, to: count - 1)
        self.unlink(slot)
        self.linkAtFront(slot, of: .main)
        return true
    }

    /// W-TinyLFU: moves the window's back entry `slot` to the front of the main queue, its counter at 0.
    private mutating func moveToMain(_ slot: Int32) {
        self.resetAccessCount(slot, to: 0)
        self.unlink(slot)
        self.linkAtFront(slot, of: .main)
    }

    /// W-TinyLFU: removes `slot` to make room, counted as an expiration when its deadline has passed, as an eviction
    /// otherwise (its reads fed to the sketch first).
    private mutating func evict(_ slot: Int32, now: UInt64) {
        if self.isExpired(slot, now: now) {
            self.counters.expirations += 1
        } else {
            self.feedSketch(slot)
            self.counters.evictions += 1
        }
        self.remove(slot)
    }

    private func isExpired(_ slot: Int32, now: UInt64) -> Bool {
        let expiresAt = self.nodes[Int(slot)].expiresAt
        return expiresAt != 0 && expiresAt <= now
    }

    private mutating func allocate(_ node: Node) -> Int32 {
        if let slot = self.freeSlots.popLast() {
            self.nodes[Int(slot)] = node
            return slot
        }
        precondition(self.nodes.count < Int(Int32.max), "a memory shard holds at most Int32.max entries")
        if self.nodes.count == self.counterCapacity {
            self.growCounters()
        }
        self.nodes.append(node)
        switch self.policy {
        case .windowTinyLFU:
            // The sketch counts for as many keys as the shard has ever held at once.
            self.sketch.raiseCapacity(toEntries: self.nodes.count)
        case .s3FIFO:
            // The ghost remembers as many keys as the shard has ever held at once.
            self.ghost.raiseCapacity(to: self.nodes.count)
        case .secondChance:
            break
        }
        return Int32(self.nodes.count - 1)
    }

    private mutating func remove(_ slot: Int32, bucket: Int? = nil) {
        let index = Int(slot)
        guard self.nodes[index].key != nil else { return }
        self.removeFromIndex(bucket: bucket ?? self.bucket(of: slot))
        self.unlink(slot)
        self.counters.bytes -= self.nodes[index].cost
        self.counters.entries -= 1
        // Release the key and value now; the slot is reused by the next insert.
        self.nodes[index].key = nil
        self.nodes[index].value = []
        self.nodes[index].cost = 0
        self.resetAccessCount(slot, to: 0)
        self.freeSlots.append(slot)
    }

    /// Doubles the counters buffer, keeping the counts.
    private mutating func growCounters() {
        let capacity = self.counterCapacity * 2
        let counters = Self.allocateCounters(capacity)
        for index in 0..<self.counterCapacity {
            counters[index].store(self.accessCounts[index].load(ordering: .relaxed), ordering: .relaxed)
        }
        self.accessCounts.deinitialize(count: self.counterCapacity)
        self.accessCounts.deallocate()
        self.accessCounts = counters
        self.counterCapacity = capacity
    }

    // MARK: Queues

    private func ends(of queue: Queue) -> QueueEnds {
        queue == .small ? self.small : self.main
    }

    private mutating func withEnds<Result>(of queue: Queue, _ body: (inout QueueEnds) -> Result) -> Result {
        queue == .small ? body(&self.small) : body(&self.main)
    }

    /// Links `slot`, not linked yet, at the front of `queue`, and counts it there.
    private mutating func linkAtFront(_ slot: Int32, of queue: Queue) {
        let cost = self.nodes[Int(slot)].cost
        let head = self.ends(of: queue).head
        self.nodes[Int(slot)].queue = queue
        self.nodes[Int(slot)].previous = Self.none
        self.nodes[Int(slot)].next = head
        if head != Self.none {
            self.nodes[Int(head)].previous = slot
        }
        self.withEnds(of: queue) { ends in
            ends.head = slot
            if ends.tail == Self.none {
                ends.tail = slot
            }
            ends.bytes += cost
            ends.entries += 1
        }
    }

    /// Takes `slot` out of its queue, and out of the queue's totals.
    private mutating func unlink(_ slot: Int32) {
        // Field by field: copying the node would retain its key and value.
        let previous = self.nodes[Int(slot)].previous
        let next = self.nodes[Int(slot)].next
        let cost = self.nodes[Int(slot)].cost
        if previous != Self.none {
            self.nodes[Int(previous)].next = next
        }
        if next != Self.none {
            self.nodes[Int(next)].previous = previous
        }
        self.withEnds(of: self.nodes[Int(slot)].queue) { ends in
            if previous == Self.none { ends.head = next }
            if next == Self.none { ends.tail = previous }
            ends.bytes -= cost
            ends.entries -= 1
        }
        self.nodes[Int(slot)].previous = Self.none
        self.nodes[Int(slot)].next = Self.none
    }
}
