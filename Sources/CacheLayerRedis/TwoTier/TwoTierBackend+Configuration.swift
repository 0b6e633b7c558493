import CacheLayer
import CoreMetrics

extension TwoTierBackend {
    /// How long the memory tier keeps what it takes from Redis, what it refuses, and how it behaves under faults.
    public struct Configuration: Sendable {
        /// The longest a value read from Redis stays in memory (never past its expiry in Redis). Invalidations
        /// evict it sooner when it changes; this bounds the memory an idle key holds.
        public var localTTL: Duration
        /// Values larger than this (in bytes) are kept in Redis only. The memory tier also refuses entries larger
        /// than its shard budget (``CacheLayer/MemoryBackend/maximumEntryCost``).
        public var maximumMemoryValueSize: Int
        /// While an invalidation connection is down and Redis does not answer, the memory tier still answers,
        /// but only while the last moment every invalidation was confirmed to have arrived is younger than this;
        /// then reads miss. Zero: memory never answers while tracking is down.
        public var outageServeLimit: Duration
        /// A bound on staleness that holds whatever the scheduler does; `nil` (the default): none beyond how fast the
        /// invalidation threads run.
        ///
        /// When set, memory answers a read only if every invalidation connection has confirmed, within this long
        /// before the read, that every invalidation Redis sent it before then has been applied (an answered `PING`;
        /// Redis sends a write's invalidation before the writer's reply). Otherwise the read goes to Redis. So no
        /// read that starts longer than this after a write returned is answered with the value it replaced, even
        /// when an invalidation thread is starved of CPU, paused, or its network silent. Past half the bound, a
        /// read asks the connections to confirm again at once (one `PING` each, at most one unanswered), so a
        /// steadily read cache sends about two `PING`s per bound to each server; an idle one sends none beyond the
        /// heartbeat. It costs a clock read per memory hit.
        public var maximumStaleness: Duration?
        /// How often each invalidation connection proves it is alive (a `PING`, answered in order after every
        /// invalidation sent before it). A connection that does not answer within the command timeout is
        /// dropped, and the memory tier stops answering.
        public var heartbeatInterval: Duration
        /// How often a cluster's topology is checked for new or departed masters, each of which gets or loses
        /// an invalidation connection (a change stops the memory tier until the new connections are armed).
        public var topologyCheckInterval: Duration
        /// The clock of ``outageServeLimit``.
        public var clock: any CacheClock
        /// Where the tier counters go (`cache.tier.hits`, `cache.tier.invalidations`, `cache.tier.flushes`);
        /// `nil`: the bootstrapped factory.
        public var metricsFactory: (any MetricsFactory)?
        /// The `backend` dimension of those counters.
        public var metricsLabel: String

        /// Creates a configuration.
        public init(
            localTTL: Duration = .seconds(60),
            maximumMemoryValueSize: Int = 1 << 20,
            outageServeLimit: Duration = .seconds(1),
            maximumStaleness: Duration? = nil,
            heartbeatInterval: Duration = .milliseconds(100),
            topologyCheckInterval: Duration = .milliseconds(100),
            clock: any CacheClock = SystemCacheClock(),
            metricsFactory: (any MetricsFactory)? = nil,
            metricsLabel: String = "two-tier"
        ) {
            self.localTTL = localTTL
            self.maximumMemoryValueSize = maximumMemoryValueSize
            self.outageServeLimit = outageServeLimit
            self.maximumStaleness = maximumStaleness
            self.heartbeatInterval = heartbeatInterval
            self.topologyCheckInterval = topologyCheckInterval
            self.clock = clock
            self.metricsFactory = metricsFactory
            self.metricsLabel = metricsLabel
        }

        func validated() throws(CacheError) -> Configuration {
            func refuse(_ message: String) -> CacheError { CacheError(.invalidConfiguration, message) }
            guard self.localTTL > .zero else { throw refuse("localTTL must be positive, got \(self.localTTL)") }
            guard self.maximumMemoryValueSize >= 0 else { throw refuse("maximumMemoryValueSize must not be negative") }
            guard self.outageServeLimit >= .zero else { throw refuse("outageServeLimit must not be negative") }
            if let bound = self.maximumStaleness, bound < .microseconds(100) {
                throw refuse("maximumStaleness must be at least 100 µs, got \(bound)")
            }
            guard self.heartbeatInterval >= .milliseconds(1) else {
                throw refuse("heartbeatInterval must be at least 1 ms, got \(self.heartbeatInterval)")
            }
            guard self.topologyCheckInterval >= .milliseconds(1) else {
                throw refuse("topologyCheckInterval must be at least 1 ms, got \(self.topologyCheckInterval)")
            }
            return self
        }
    }
}
