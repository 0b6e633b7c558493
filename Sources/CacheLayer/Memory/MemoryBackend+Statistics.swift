extension MemoryBackend {
    /// A snapshot of the store's contents and activity since it was made.
    public struct Statistics: Sendable, Equatable {
        /// Entries held (expired entries not yet removed included).
        public var entries: Int
        /// Bytes held, counted as the budget counts them.
        public var bytes: Int
        /// Reads that found a live value.
        public var hits: Int
        /// Reads that found nothing, or an expired value.
        public var misses: Int
        /// Live entries dropped to make room.
        public var evictions: Int
        /// Expired entries removed.
        public var expirations: Int
    }

    /// Sums the shards' counters. Each shard is read under its own lock, so under concurrent writes the snapshot
    /// is not one instant, but every shard's part of it is consistent.
    public var statistics: Statistics {
        var total = Statistics(entries: 0, bytes: 0, hits: 0, misses: 0, evictions: 0, expirations: 0)
        for index in 0..<self.shardCount {
            let counters = self.shard(index).pointee.withLock { $0.counters }
            total.entries += counters.entries
            total.bytes += counters.bytes
            total.hits += counters.hits
            total.misses += counters.misses
            total.evictions += counters.evictions
            total.expirations += counters.expirations
        }
        return total
    }
}

extension MemoryBackend {
    /// The first broken structural invariant of any shard, or `nil`. O(entries): for tests.
    func brokenInvariant() -> String? {
        for index in 0..<self.shardCount {
            if let broken = self.shard(index).pointee.withLock({ $0.brokenInvariant() }) {
                return "shard \(index): \(broken)"
            }
        }
        return nil
    }
}
