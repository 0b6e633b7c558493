import CacheLayer

/// Where a ``CacheHealthMonitor`` gets its readings: usually ``counters(boundaries:memoryTier:server:)``, CacheLayer's
/// own exact counters; in tests, any closure (synthetic counters).
public struct CacheHealthSource: Sendable {
    private let read: @Sendable () async -> CacheHealthReading

    /// A source that calls `read` for each reading.
    public init(read: @escaping @Sendable () async -> CacheHealthReading) {
        self.read = read
    }

    /// Takes a reading.
    public func reading() async -> CacheHealthReading {
        await self.read()
    }

    /// Reads the boundaries' statistics, the memory tier's statistics and the Redis server's last `INFO` figures.
    ///
    /// ```swift
    /// let serverMetrics = RedisServerMetrics(backend: redis)
    /// let source = CacheHealthSource.counters(boundaries: boundaries, memoryTier: memory) {
    ///     serverMetrics.latest.map {
    ///         .init(usedMemory: $0.usedMemory, maxMemory: $0.maxMemory, evictedKeys: $0.evictedKeys)
    ///     }
    /// }
    /// ```
    /// - Parameters:
    ///   - boundaries: the boundaries whose requests to watch.
    ///   - memoryTier: the memory tier, if the cache has one (its evictions, expirations and bytes).
    ///   - server: the Redis server's figures, if the cache has one (say from `RedisServerMetrics.latest`).
    public static func counters(
        boundaries: CacheBoundaries,
        memoryTier: MemoryBackend? = nil,
        server: (@Sendable () -> CacheHealthReading.Server?)? = nil
    ) -> CacheHealthSource {
        CacheHealthSource {
            let tier = memoryTier.map { backend in
                let statistics = backend.statistics
                return CacheHealthReading.MemoryTier(
                    evictions: statistics.evictions,
                    expirations: statistics.expirations,
                    bytes: statistics.bytes,
                    byteBudget: backend.configuration.byteBudget
                )
            }
            return CacheHealthReading(boundaries: boundaries.statistics(), memoryTier: tier, server: server?())
        }
    }
}
