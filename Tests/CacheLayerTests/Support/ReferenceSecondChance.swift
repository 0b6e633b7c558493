@testable import CacheLayer

/// The obviously correct model of the memory backend's eviction (second chance, an approximation of LRU) that it
/// is checked against: an array in list order, every operation a linear scan.
///
/// Writes put an entry at the front, unmarked; a read hit only marks it. To make room for a write, entries are
/// taken from the back: an expired one is removed (an expiration, not an eviction), a marked one is unmarked and
/// moved to the front, an unmarked one is evicted. Expired entries are never returned and are removed when touched.
struct ReferenceSecondChance {
    struct Entry {
        var key: CacheKey
        var value: [UInt8]
        var expiresAt: UInt64?
        var cost: Int
        var referenced = false
    }

    let byteBudget: Int
    let entryLimit: Int
    /// Front (most recently written or second-chanced) first.
    private(set) var entries: [Entry] = []
    private(set) var hits = 0
    private(set) var misses = 0
    private(set) var evictions = 0
    private(set) var expirations = 0

    var bytes: Int { self.entries.reduce(0) { $0 + $1.cost } }

    init(byteBudget: Int, entryLimit: Int) {
        self.byteBudget = byteBudget
        self.entryLimit = entryLimit
    }

    private func isExpired(_ entry: Entry, now: UInt64) -> Bool {
        entry.expiresAt.map { $0 <= now } ?? false
    }

    /// The position of the live entry for `key`; an expired one is dropped on the way.
    private mutating func live(_ key: CacheKey, now: UInt64) -> Int? {
        guard let position = self.entries.firstIndex(where: { $0.key == key }) else { return nil }
        if self.isExpired(self.entries[position], now: now) {
            self.entries.remove(at: position)
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
        self.entries[position].referenced = true
        self.hits += 1
        return self.entries[position].value
    }

    /// Returns false (and changes nothing) when the entry alone exceeds the budget.
    mutating func set(_ key: CacheKey, _ value: [UInt8], ttlNanoseconds: UInt64?, now: UInt64) -> Bool {
        let cost =
            key.namespace.name.utf8.count + key.key.utf8.count + value.count + MemoryBackend.Configuration.entryOverhead
        guard cost <= self.byteBudget else { return false }
        self.entries.removeAll { $0.key == key }
        while self.bytes + cost > self.byteBudget || self.entries.count + 1 > self.entryLimit {
            var victim = self.entries.removeLast()
            if self.isExpired(victim, now: now) {
                self.expirations += 1
            } else if victim.referenced {
                victim.referenced = false
                self.entries.insert(victim, at: 0)
            } else {
                self.evictions += 1
            }
        }
        self.entries.insert(
            Entry(key: key, value: value, expiresAt: ttlNanoseconds.map { now + max($0, 1) }, cost: cost), at: 0)
        return true
    }

    /// nil: refused as too large; otherwise whether it stored.
    mutating func setIfAbsent(_ key: CacheKey, _ value: [UInt8], ttlNanoseconds: UInt64?, now: UInt64) -> Bool? {
        if self.live(key, now: now) != nil { return false }
        return self.set(key, value, ttlNanoseconds: ttlNanoseconds, now: now) ? true : nil
    }

    mutating func delete(_ key: CacheKey, now: UInt64) -> Bool {
        guard let position = self.live(key, now: now) else { return false }
        self.entries.remove(at: position)
        return true
    }

    mutating func delete(_ key: CacheKey, ifValueEquals expected: [UInt8], now: UInt64) -> Bool {
        guard let position = self.live(key, now: now), self.entries[position].value == expected else { return false }
        self.entries.remove(at: position)
        return true
    }

    mutating func removeAll(in namespace: CacheNamespace) {
        self.entries.removeAll { $0.key.namespace == namespace }
    }
}
