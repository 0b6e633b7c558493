@testable import CacheLayer

/// The obviously correct model of the memory backend's S3-FIFO eviction that it is checked against: two arrays in
/// queue order and an array for the ghost, every operation a linear scan.
///
/// A new key goes to the front of the small queue, or of the main queue when its hash is alive in the ghost (which
/// kills it there); a key already held goes to the front of its own queue. Either way its counter starts at 0, and
/// each read hit raises it, up to 3. To make room for a write, entries are taken from the back of the main queue
/// when it holds more than 90% of the budget or the small queue is empty, from the back of the small queue
/// otherwise. An expired entry is removed (an expiration). From the small queue, an entry with a counter of 2 or more
/// moves to the front of the main queue with its counter at 0; any other is evicted and its hash appended to the
/// ghost. From the main queue, an entry with a counter above 0 goes back to the front with its counter lowered by
/// one; any other is evicted. The ghost holds at most as many hashes (dead or alive) as the most entries the shard
/// has held at once, dropping its oldest to make room.
struct ReferenceS3FIFO: TwoQueueReferenceModel {
    let byteBudget: Int
    let entryLimit: Int
    var queues = ReferenceQueues()
    /// Oldest first.
    private(set) var ghost: [(hash: Int, alive: Bool)] = []
    private var mostEntries = 0

    var small: [ReferenceQueues.Entry] { self.queues.small }
    var main: [ReferenceQueues.Entry] { self.queues.main }
    /// The hashes alive in the ghost, oldest first, each at its newest position.
    var ghostHashes: [Int] {
        self.ghost.enumerated().filter { position, item in
            item.alive && !self.ghost[(position + 1)...].contains { $0.hash == item.hash }
        }.map(\.element.hash)
    }

    init(byteBudget: Int, entryLimit: Int) {
        self.byteBudget = byteBudget
        self.entryLimit = entryLimit
    }

    private mutating func appendToGhost(_ hash: Int) {
        if self.ghost.count == self.mostEntries { self.ghost.removeFirst() }
        self.ghost.append((hash, true))
    }

    /// Kills every copy of `hash` in the ghost; returns whether one was alive.
    private mutating func removeFromGhost(_ hash: Int) -> Bool {
        var found = false
        for index in self.ghost.indices where self.ghost[index].hash == hash && self.ghost[index].alive {
            self.ghost[index].alive = false
            found = true
        }
        return found
    }

    /// Returns false (and changes nothing) when the entry alone exceeds the budget.
    mutating func set(_ key: CacheKey, _ value: [UInt8], ttlNanoseconds: UInt64?, now: UInt64) -> Bool {
        let cost = ReferenceQueues.cost(key, value)
        guard cost <= self.byteBudget else { return false }
        // A key already held leaves its queue while room is made, and comes back to the front of the same queue.
        let heldInMain = self.queues.position(of: key).map { position in
            _ = self.queues.take(position)
            return position.inMain
        }
        while self.queues.bytes + cost > self.byteBudget || self.queues.entries.count + 1 > self.entryLimit {
            if self.queues.mainBytes > self.byteBudget - self.byteBudget / 10 || self.queues.small.isEmpty {
                var victim = self.queues.main.removeLast()
                if victim.isExpired(now: now) {
                    self.queues.expirations += 1
                } else if victim.count > 0 {
                    victim.count -= 1
                    self.queues.main.insert(victim, at: 0)
                } else {
                    self.queues.evictions += 1
                }
            } else {
                var victim = self.queues.small.removeLast()
                if victim.isExpired(now: now) {
                    self.queues.expirations += 1
                } else if victim.count >= 2 {
                    victim.count = 0
                    self.queues.main.insert(victim, at: 0)
                } else {
                    self.appendToGhost(ReferenceQueues.hash(victim.key))
                    self.queues.evictions += 1
                }
            }
        }
        let entry = ReferenceQueues.Entry(
            key: key, value: value, expiresAt: ttlNanoseconds.map { now + max($0, 1) }, cost: cost)
        if let heldInMain {
            if heldInMain {
                self.queues.main.insert(entry, at: 0)
            } else {
                self.queues.small.insert(entry, at: 0)
            }
        } else if self.removeFromGhost(ReferenceQueues.hash(key)) {
            self.queues.main.insert(entry, at: 0)
        } else {
            self.queues.small.insert(entry, at: 0)
        }
        self.mostEntries = max(self.mostEntries, self.queues.entries.count)
        return true
    }
}
