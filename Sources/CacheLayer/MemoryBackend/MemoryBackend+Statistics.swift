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

    /// Sums the shards' counters, and the hits and misses their readers counted in the read stripes. Each shard is
    /// read with its store to itself, so under concurrent calls the snapshot is not one instant, but every shard's
    /// part of it is consistent.
    public var statistics: Statistics {
        var total = Statistics(entries: 0, bytes: 0, hits: 0, misses: 0, evictions: 0, expirations: 0)
        for index in 0..<self.shardCount {
            let (counters, sharedHits, sharedMisses) = self.withExclusiveAccess(toShard: index) { store in
                var hits = 0
                var misses = 0
                for stripe in 0..<MemoryShard.stripeCount {
                    let pointer = (self.stripes(ofShard: index) + stripe * ReadStripe.stride).assumingMemoryBound(
                        to: ReadStripe.self)
                    hits += pointer.pointee.hits.load(ordering: .relaxed)
                    misses += pointer.pointee.misses.load(ordering: .relaxed)
                }
                return (store.counters, hits, misses)
            }
            total.hits += sharedHits
            total.misses += sharedMisses
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
            if let broken = self.withExclusiveAccess(toShard: index, { $0.brokenInvariant() }) {
                return "shard \(index): \(broken)"
            }
        }
        return nil
    }
}
