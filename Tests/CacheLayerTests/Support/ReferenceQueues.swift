@testable import CacheLayer

/// What the two-queue reference models (``ReferenceS3FIFO``, ``ReferenceWindowTinyLFU``) hold and do alike: a small
/// queue and a main queue of entries as arrays in queue order, every lookup a linear scan. A key is in at most one of
/// them; a read hit raises its entry's counter, up to 3; an expired entry is never returned, and is removed (an
/// expiration) when a call touches it. How room is made is each model's own.
struct ReferenceQueues {
    struct Entry {
        var key: CacheKey
        var value: [UInt8]
        var expiresAt: UInt64?
        var cost: Int
        var count: UInt8 = 0
        /// W-TinyLFU: the counter when the entry's reads were last fed to the sketch.
        var seen: UInt8 = 0

        func isExpired(now: UInt64) -> Bool {
            self.expiresAt.map { $0 <= now } ?? false
        }
    }

    /// Front (most recently inserted) first.
    var small: [Entry] = []
    /// Front (most recently inserted or sent round) first.
    var main: [Entry] = []
    var hits = 0
    var misses = 0
    var evictions = 0
    var expirations = 0

    var entries: [Entry] { self.small + self.main }
    var bytes: Int { self.entries.reduce(0) { $0 + $1.cost } }
    var mainBytes: Int { self.main.reduce(0) { $0 + $1.cost } }

    /// What the memory tier counts an entry at.
    static func cost(_ key: CacheKey, _ value: [UInt8]) -> Int {
        key.namespace.name.utf8.count + key.key.utf8.count + value.count + MemoryBackend.Configuration.entryOverhead
    }

    static func hash(_ key: CacheKey) -> Int { key.hashValue }

    /// Where `key` is: which queue, and its position there.
    func position(of key: CacheKey) -> (inMain: Bool, index: Int)? {
        if let index = self.small.firstIndex(where: { $0.key == key }) { return (false, index) }
        if let index = self.main.firstIndex(where: { $0.key == key }) { return (true, index) }
        return nil
    }

    mutating func take(_ position: (inMain: Bool, index: Int)) -> Entry {
        position.inMain ? self.main.remove(at: position.index) : self.small.remove(at: position.index)
    }

    /// The position of the live entry for `key`; an expired one is dropped on the way.
    mutating func live(_ key: CacheKey, now: UInt64) -> (inMain: Bool, index: Int)? {
        guard let position = self.position(of: key) else { return nil }
        let entry = position.inMain ? self.main[position.index] : self.small[position.index]
        if entry.isExpired(now: now) {
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

/// A reference model built on ``ReferenceQueues``: everything but `set` (how room is made) comes from them.
protocol TwoQueueReferenceModel: ReferenceEvictionModel {
    var queues: ReferenceQueues { get set }
}

extension TwoQueueReferenceModel {
    var bytes: Int { self.queues.bytes }
    var hits: Int { self.queues.hits }
    var misses: Int { self.queues.misses }
    var evictions: Int { self.queues.evictions }
    var expirations: Int { self.queues.expirations }
    var entryCount: Int { self.queues.entries.count }

    func heldValue(of key: CacheKey) -> [UInt8]? { self.queues.entries.first { $0.key == key }?.value }

    mutating func get(_ key: CacheKey, now: UInt64) -> [UInt8]? { self.queues.get(key, now: now) }

    /// nil: refused as too large; otherwise whether it stored.
    mutating func setIfAbsent(_ key: CacheKey, _ value: [UInt8], ttlNanoseconds: UInt64?, now: UInt64) -> Bool? {
        if self.queues.live(key, now: now) != nil { return false }
        return self.set(key, value, ttlNanoseconds: ttlNanoseconds, now: now) ? true : nil
    }

    mutating func delete(_ key: CacheKey, now: UInt64) -> Bool { self.queues.delete(key, now: now) }

    mutating func delete(_ key: CacheKey, ifValueEquals expected: [UInt8], now: UInt64) -> Bool {
        self.queues.delete(key, ifValueEquals: expected, now: now)
    }

    mutating func removeAll(in namespace: CacheNamespace) { self.queues.removeAll(in: namespace) }
}
