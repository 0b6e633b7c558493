import CoreMetrics
import Logging
import Tracing

extension Cache {
    /// How a cache encodes values, validates keys, handles backend failures and reports what it does.
    public struct Configuration: Sendable {
        /// Encodes and decodes typed values. JSON by default.
        public var codec: any CacheCodec
        /// The longest key accepted, in UTF-8 bytes (the namespace not counted). Must be positive.
        public var maximumKeyLength: Int
        /// When `true` (the default), a backend failure (unavailable, timeout, error reply) makes a read a miss
        /// and a write a no-op, both recorded in the span, metrics and log; when `false`, they throw. Invalid input
        /// (bad key, bad TTL, value too large) always throws.
        public var failOpen: Bool
        /// How keys appear in spans and logs.
        public var keyCapture: KeyCapture
        /// How each put's TTL is spread (none by default). The jittered TTL is what is stored and reported.
        public var ttlJitter: TTLJitter
        /// Where the TTL jitter draws its random numbers.
        public var random: any CacheRandom
        /// Whether concurrent misses of one key (`getOrLoad` and `readThrough` alike) share one load (single-flight).
        /// On by default.
        public var coalescesLoads: Bool
        /// The stampede protection `getOrLoad` applies when a call names no policy of its own: a distributed lock,
        /// a grace period, early refresh. By default none of them (in-process coalescing still applies).
        public var loadPolicy: LoadPolicy
        /// The wall clock read-through freshness is measured on (fresh-until times are shared with other processes).
        public var freshnessClock: any CacheClock
        /// The tracer for this cache's spans. `nil` (the default): the tracer in force when the cache is made
        /// (`InstrumentationSystem.tracer`: the bootstrapped one, or a `withTracer` scope's around the cache's
        /// creation), read once, as valkey-swift and AsyncHTTPClient do; so an unobserved call looks nothing up,
        /// and with nothing bootstrapped does no span work at all. Bootstrap tracing before making caches.
        ///
        /// `NoOpTracer()` turns spans off. To follow `withTracer` scopes call by call instead, set
        /// ``resolvesTracerPerCall``.
        public var tracer: (any Tracer)?
        /// Whether the cache looks up the tracer in force at each call (a `withTracer` scope's, else the
        /// bootstrapped one) instead of reading it once when it is made. Off by default; for code that scopes
        /// tracers per task. That lookup (a task-local read and a reader lock) is then paid on every call, observed
        /// or not. Ignored when ``tracer`` is set.
        public var resolvesTracerPerCall: Bool
        /// The metrics factory; `nil` (the default) uses the global `MetricsSystem.factory` as it is when the cache
        /// is made (bootstrap metrics before making caches).
        public var metricsFactory: (any MetricsFactory)?
        /// The logger for per-operation debug lines and backend-failure warnings. Defaults to a logger that
        /// discards everything: pass your own to see the cache's lines.
        public var logger: Logger
        /// How long a read-through load may take and still store its value (60 s by default): the time a removal
        /// or tag invalidation of its key is guaranteed to win over it (on Redis, the lifetime of the pending-load
        /// marker at the key). A load that takes longer returns its value uncached. Set it above your loaders'
        /// timeout.
        public var loadWindow: Duration = .seconds(60)
        /// Whether every write records when it was written, so that reads of it report `cache.item_age`. Off by
        /// default: the write time is 10 bytes in front of the value, which costs a copy of the value on each write
        /// and each read. Read-throughs that track freshness (a grace period, early refresh, a maximum stale age)
        /// record their write time either way, 8 bytes beside their freshness header (copied in any case); HTTP
        /// responses carry theirs in their own format.
        public var recordsItemAge = false
        /// How many failed removals and tag invalidations are kept for replay (10,000 by default); past it they
        /// become one flush of the namespace (see ``Cache/remove(_:)``).
        public var failedInvalidationLimit = 10_000

        /// The default longest key, in UTF-8 bytes.
        public static let defaultMaximumKeyLength = 1024

        /// Creates a configuration.
        public init(
            codec: any CacheCodec = JSONCacheCodec(),
            maximumKeyLength: Int = Configuration.defaultMaximumKeyLength,
            failOpen: Bool = true,
            keyCapture: KeyCapture = .full,
            ttlJitter: TTLJitter = .none,
            random: any CacheRandom = SystemCacheRandom(),
            coalescesLoads: Bool = true,
            loadPolicy: LoadPolicy = LoadPolicy(),
            freshnessClock: any CacheClock = EpochCacheClock(),
            tracer: (any Tracer)? = nil,
            resolvesTracerPerCall: Bool = false,
            metricsFactory: (any MetricsFactory)? = nil,
            logger: Logger = Logger(label: "cachelayer", factory: { _ in SwiftLogNoOpLogHandler() })
        ) {
            self.codec = codec
            self.maximumKeyLength = maximumKeyLength
            self.failOpen = failOpen
            self.keyCapture = keyCapture
            self.ttlJitter = ttlJitter
            self.random = random
            self.coalescesLoads = coalescesLoads
            self.loadPolicy = loadPolicy
            self.freshnessClock = freshnessClock
            self.tracer = tracer
            self.resolvesTracerPerCall = resolvesTracerPerCall
            self.metricsFactory = metricsFactory
            self.logger = logger
        }
    }
}
