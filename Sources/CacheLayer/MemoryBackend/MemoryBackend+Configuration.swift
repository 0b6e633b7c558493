import CoreMetrics

extension MemoryBackend {
    /// How big the in-memory store may grow and how it is observed.
    public struct Configuration: Sendable {
        /// The bytes the store may hold: for each entry, its namespace and key (UTF-8), its value, and
        /// ``entryOverhead``. Must be positive.
        public var byteBudget: Int
        /// The most entries the store may hold, or `nil` for no count limit.
        public var maximumEntries: Int?
        /// How many independently locked shards to use, rounded down to a power of two; `nil` picks one from the
        /// budget (up to 16, keeping at least 1 MiB per shard). Each shard holds `byteBudget / shardCount` bytes,
        /// which is also the largest entry the store accepts (see ``MemoryBackend/maximumEntryCost``).
        public var shardCount: Int?
        /// Which entries make room for new ones when the budget is reached; W-TinyLFU unless told otherwise.
        public var evictionPolicy: EvictionPolicy
        /// The clock that expires entries.
        public var clock: any CacheClock
        /// Where the memory gauges go; `nil` uses the global `MetricsSystem.factory` at the time the backend is made.
        public var metricsFactory: (any MetricsFactory)?
        /// The `backend` dimension of this store's metrics, to tell several stores apart.
        public var metricsLabel: String

        /// The bookkeeping cost counted for each entry on top of its key and value, in bytes: the slot in the
        /// recency list, the index entry and the value's array header. It keeps the byte budget close to the
        /// memory the process really uses.
        public static let entryOverhead = 160

        /// Creates a configuration.
        public init(
            byteBudget: Int,
            maximumEntries: Int? = nil,
            shardCount: Int? = nil,
            evictionPolicy: EvictionPolicy = .windowTinyLFU,
            clock: any CacheClock = SystemCacheClock(),
            metricsFactory: (any MetricsFactory)? = nil,
            metricsLabel: String = "memory"
        ) {
            self.byteBudget = byteBudget
            self.maximumEntries = maximumEntries
            self.shardCount = shardCount
            self.evictionPolicy = evictionPolicy
            self.clock = clock
            self.metricsFactory = metricsFactory
            self.metricsLabel = metricsLabel
        }
    }
}
