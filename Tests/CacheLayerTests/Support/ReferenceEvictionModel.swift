@testable import CacheLayer

/// What the memory backend's reference-model tests need of a model, whichever eviction policy it models.
protocol ReferenceEvictionModel {
    var bytes: Int { get }
    var hits: Int { get }
    var misses: Int { get }
    var evictions: Int { get }
    var expirations: Int { get }
    /// How many entries the model holds.
    var entryCount: Int { get }
    /// The value held for `key`, expired or not, without touching anything.
    func heldValue(of key: CacheKey) -> [UInt8]?

    mutating func get(_ key: CacheKey, now: UInt64) -> [UInt8]?
    mutating func set(_ key: CacheKey, _ value: [UInt8], ttlNanoseconds: UInt64?, now: UInt64) -> Bool
    mutating func setIfAbsent(_ key: CacheKey, _ value: [UInt8], ttlNanoseconds: UInt64?, now: UInt64) -> Bool?
    mutating func delete(_ key: CacheKey, now: UInt64) -> Bool
    mutating func delete(_ key: CacheKey, ifValueEquals expected: [UInt8], now: UInt64) -> Bool
    mutating func removeAll(in namespace: CacheNamespace)
}

extension ReferenceSecondChance: ReferenceEvictionModel {
    var entryCount: Int { self.entries.count }
    func heldValue(of key: CacheKey) -> [UInt8]? { self.entries.first { $0.key == key }?.value }
}
