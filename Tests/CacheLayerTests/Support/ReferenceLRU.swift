@testable import CacheLayer

/// The obviously correct LRU the memory backend is checked against: an array in recency order, every operation
/// a linear scan. Same rules as the real store: expired entries are never returned, are removed when touched,
/// and count as expirations (not evictions) when they fall off the cold end.
struct ReferenceLRU {
    struct Entry {
        var key: CacheKey
        var value: [UInt8]
        var expiresAt: UInt64?
        var cost: Int
    }

    let byteBudget: Int
    let entryLimit: Int
    /// Most recently used first.
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
        let entry = self.entries.remove(at: position)
        self.entries.insert(entry, at: 0)
        self.hits += 1
        return entry.value
    }

    /// Returns false (and changes nothing) when the entry alone exceeds the budget.
    mutating func set(_ key: CacheKey, _ value: [UInt8], ttlNanoseconds: UInt64?, now: UInt64) -> Bool {
        let cost = key.namespace.name.utf8.count + key.key.utf8.count + value.count + MemoryBackend.Configuration.entryOverhead
        guard cost <= self.byteBudget else { return false }
        self.entries.removeAll { $0.key == key }
        self.entries.insert(Entry(key: key, value: value, expiresAt: ttlNanoseconds.map { now + max($0, 1) }, cost: cost), at: 0)
        while self.bytes > self.byteBudget || self.entries.count > self.entryLimit {
            let victim = self.entries.removeLast()
            if self.isExpired(victim, now: now) {
                self.expirations += 1
            } else {
                self.evictions += 1
            }
        }
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
