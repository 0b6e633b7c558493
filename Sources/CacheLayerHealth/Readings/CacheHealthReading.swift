import CacheLayer

/// The counters a ``CacheHealthMonitor`` reads at one instant: each boundary's, the memory tier's and the Redis
/// server's. All are running totals; the monitor works on the difference between two readings.
public struct CacheHealthReading: Sendable, Equatable {
    /// The memory tier's totals (from `MemoryBackend.statistics`).
    public struct MemoryTier: Sendable, Equatable {
        /// Live entries dropped to make room: entries younger than their TTL (expired ones count as expirations).
        public var evictions: Int
        /// Entries removed because their TTL ran out.
        public var expirations: Int
        /// Bytes held.
        public var bytes: Int
        /// Bytes the tier may hold.
        public var byteBudget: Int

        /// Creates a memory-tier reading.
        public init(evictions: Int, expirations: Int, bytes: Int, byteBudget: Int) {
            self.evictions = evictions
            self.expirations = expirations
            self.bytes = bytes
            self.byteBudget = byteBudget
        }
    }

    /// The Redis server's memory figures (from `RedisServerMetrics.latest`, its `INFO` polls).
    public struct Server: Sendable, Equatable {
        /// `used_memory`, bytes.
        public var usedMemory: Int64?
        /// `maxmemory`, bytes; 0 or `nil` means no limit.
        public var maxMemory: Int64?
        /// `evicted_keys` since the server started.
        public var evictedKeys: Int64?

        /// Creates a server reading.
        public init(usedMemory: Int64?, maxMemory: Int64?, evictedKeys: Int64?) {
            self.usedMemory = usedMemory
            self.maxMemory = maxMemory
            self.evictedKeys = evictedKeys
        }
    }

    /// Each boundary's counters, by boundary name (`CacheBoundaries.statistics()`).
    public var boundaries: [String: BoundaryStatistics]
    /// The memory tier's, when the cache has one.
    public var memoryTier: MemoryTier?
    /// The Redis server's, when the cache has one and it has been polled.
    public var server: Server?

    /// Creates a reading.
    public init(boundaries: [String: BoundaryStatistics], memoryTier: MemoryTier? = nil, server: Server? = nil) {
        self.boundaries = boundaries
        self.memoryTier = memoryTier
        self.server = server
    }
}
