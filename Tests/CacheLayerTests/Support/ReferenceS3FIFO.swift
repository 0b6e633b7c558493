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
struct ReferenceS3FIFO {
    struct Entry {
        var key: CacheKey
        var value: [UInt8]
        var expiresAt: UInt64?
        var cost: Int
        var count: UInt8 = 0
    }

    let byteBudget: Int
    let entryLimit: Int
    /// Front (most recently inserted) first.
    private(set) var small: [Entry] = []
    private(set) var main: [Entry] = []
    /// Oldest first.
    private(set) var ghost: [(hash: Int, alive: Bool)] = []
    private var mostEntries = 0
    private(set) var hits = 0
    private(set) var misses = 0
    private(set) var evictions = 0
    private(set) var expirations = 0

    var entries: [Entry] { self.small + self.main }
    var bytes: Int { self.entries.reduce(0) { $0 + $1.cost } }
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

    private static func hash(_ key: CacheKey) -> Int { HashedKey(key).hash }

    private func isExpired(_ entry: Entry, now: UInt64) -> Bool {
        entry.expiresAt.map { $0 <= now } ?? false
    }

    /// Where `key` is: which queue, and its position there.
    private func position(of key: CacheKey) -> (inMain: Bool, index: Int)? {
        if let index = self.small.firstIndex(where: { $0.key == key }) { return (false, index) }
        if let index = self.main.firstIndex(where: { $0.key == key }) { return (true, index) }
        return nil
    }

    private mutating func take(_ position: (inMain: Bool, index: Int)) -> Entry {
        position.inMain ? self.main.remove(at: position.index) : self.small.remove(at: position.index)
    }

    /// The position of the live entry for `key`; an expired one is dropped on the way.
    private mutating func live(_ key: CacheKey, now: UInt64) -> (inMain: Bool, index: Int)? {
        guard let position = self.position(of: key) else { return nil }
        let entry = position.inMain ? self.main[position.index] : self.small[position.index]
        if self.isExpired(entry, now: now) {
            _ = self.take(position)
            self.expirations += 1
            return nil
        }
        return position
    }

    mutating func get(_ key: CacheKey, now: UInt64) -> [UInt8]? {
        guard let position = self.live(key, now: now) else {
            self.misses += 1
            return nil
        }
        self.hits += 1
        if position.inMain {
            self.main[position.index].count = min(self.main[position.index].count + 1, 3)
            return self.main[position.index].value
        }
        self.small[position.index].count = min(self.small[position.index].count + 1, 3)
        return self.small[position.index].value
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
        let cost =
            key.namespace.name.utf8.count + key.key.utf8.count + value.count + MemoryBackend.Configuration.entryOverhead
        guard cost <= self.byteBudget else { return false }
        // A key already held leaves its queue while room is made, and comes back to the front of the same queue.
        let heldInMain = self.position(of: key).map { position in
            _ = self.take(position)
            return position.inMain
        }
        while self.bytes + cost > self.byteBudget || self.entries.count + 1 > self.entryLimit {
            let mainBytes = self.main.reduce(0) { $0 + $1.cost }
            if mainBytes > self.byteBudget - self.byteBudget / 10 || self.small.isEmpty {
                var victim = self.main.removeLast()
                if self.isExpired(victim, now: now) {
                    self.expirations += 1
                } else if victim.count > 0 {
                    victim.count -= 1
                    self.main.insert(victim, at: 0)
                } else {
                    self.evictions += 1
                }
            } else {
                var victim = self.small.removeLast()
                if self.isExpired(victim, now: now) {
                    self.expirations += 1
                } else if victim.count >= 2 {
                    victim.count = 0
                    self.main.insert(victim, at: 0)
                } else {
                    self.appendToGhost(Self.hash(victim.key))
                    self.evictions += 1
                }
            }
        }
        let entry = Entry(key: key, value: value, expiresAt: ttlNanoseconds.map { now + max($0, 1) }, cost: cost)
        if let heldInMain {
            if heldInMain {
                self.main.insert(entry, at: 0)
            } else {
                self.small.insert(entry, at: 0)
            }
        } else if self.removeFromGhost(Self.hash(key)) {
            self.main.insert(entry, at: 0)
        } else {
            self.small.insert(entry, at: 0)
        }
        self.mostEntries = max(self.mostEntries, self.entries.count)
        return true
    }

    /// nil: refused as too large; otherwise whether it stored.
    mutating func setIfAbsent(_ key: CacheKey, _ value: [UInt8], ttlNanoseconds: UInt64?, now: UInt64) -> Bool? {
        if self.live(key, now: now) != nil { return false }
        return self.set(key, value, ttlNanoseconds: ttlNanoseconds, now: now) ? true : nil
    }

    mutating func delete(_ key: CacheKey, now: UInt64) -> Bool {
        guard let position = self.live(key, now: now) else { return false }
        _ = self.take(position)
        return true
    }

    mutating func delete(_ key: CacheKey, ifValueEquals expected: [UInt8], now: UInt64) -> Bool {
        guard let position = self.live(key, now: now) else { return false }
        let held = position.inMain ? self.main[position.index] : self.small[position.index]
        guard held.value == expected else { return false }
        _ = self.take(position)
        return true
    }

    mutating func removeAll(in namespace: CacheNamespace) {
        self.small.removeAll { $0.key.namespace == namespace }
        self.main.removeAll { $0.key.namespace == namespace }
    }
}
