/// One endpoint's cache boundary: which of its requests are cached, for how long, under which key, and how
/// loads are protected.
///
/// ```swift
/// let orderItems = CacheEndpoint(
///     name: "order-items",
///     path: "/admin/order-items",
///     ttl: .seconds(60),
///     pagination: PaginationBoundary(highestCachedPage: 1, commonFilters: ["status": ["open", "shipped"]])
/// )
/// ```
public struct CacheEndpoint: Sendable {
    /// Whose responses a cached entry may be served to.
    public enum Scope: String, Sendable, Hashable {
        /// Every caller shares the entry; requests carrying an identity (`Authorization`, a cookie) bypass.
        case shared
        /// Each user has entries of their own: ``CacheRequest/userID`` is part of the key, and a request without
        /// one bypasses.
        case perUser = "per_user"
    }

    /// How concurrent misses of one key are coordinated.
    public enum StampedeProtection: Sendable, Equatable {
        /// Misses in one process share one load (the default).
        case singleFlight
        /// And across processes, one load under a lock on the backend.
        case distributedLock(LoadPolicy.Lock)
    }

    /// A short, stable name: the `boundary` dimension of metrics and the `cache.boundary` span attribute.
    public var name: String
    /// The path pattern: literal segments, `:name` or `*` for any one segment, and a final `**` for any rest.
    public var path: String
    /// The methods that may be served from the cache (upper case).
    public var methods: Set<String>
    /// How long a response stays fresh.
    public var ttl: Duration
    /// How the TTL is spread; `nil` uses the cache's own.
    public var ttlJitter: TTLJitter?
    /// Which pages and filters are cached; `nil` caches every query, canonicalised.
    public var pagination: PaginationBoundary?
    /// How concurrent misses are coordinated.
    public var stampedeProtection: StampedeProtection
    /// Stale-while-revalidate grace after the TTL; `nil` for none.
    public var gracePeriod: Duration?
    /// Probabilistic early refresh; `nil` for none.
    public var earlyRefresh: EarlyRefresh?
    /// Request headers whose values select different responses (`Accept-Language`, say): part of the key.
    public var varyHeaders: [String]
    /// Whose responses an entry may be served to.
    public var scope: Scope

    /// Creates an endpoint boundary.
    public init(
        name: String,
        path: String,
        methods: Set<String> = ["GET", "HEAD"],
        ttl: Duration,
        ttlJitter: TTLJitter? = nil,
        pagination: PaginationBoundary? = nil,
        stampedeProtection: StampedeProtection = .singleFlight,
        gracePeriod: Duration? = nil,
        earlyRefresh: EarlyRefresh? = nil,
        varyHeaders: [String] = [],
        scope: Scope = .shared
    ) {
        self.name = name
        self.path = path
        self.methods = Set(methods.map { $0.uppercased() })
        self.ttl = ttl
        self.ttlJitter = ttlJitter
        self.pagination = pagination
        self.stampedeProtection = stampedeProtection
        self.gracePeriod = gracePeriod
        self.earlyRefresh = earlyRefresh
        self.varyHeaders = varyHeaders.map { $0.lowercased() }
        self.scope = scope
    }

    /// The read-through policy of this endpoint's loads.
    public var loadPolicy: LoadPolicy {
        var policy = LoadPolicy(gracePeriod: self.gracePeriod, earlyRefresh: self.earlyRefresh)
        if case .distributedLock(let lock) = self.stampedeProtection {
            policy.lock = lock
        }
        policy.ttlJitter = self.ttlJitter
        return policy
    }

    /// Checks the settings, naming the first bad one.
    func validate() throws(CacheError) {
        let label = "endpoint '\(self.name)'"
        guard !self.name.isEmpty else { throw CacheError(.invalidConfiguration, "an endpoint has an empty name") }
        guard self.path.hasPrefix("/") else {
            throw CacheError(.invalidConfiguration, "\(label): path must start with '/', got '\(self.path)'")
        }
        guard self.ttl > .zero else {
            throw CacheError(.invalidConfiguration, "\(label): ttl must be positive, got \(self.ttl)")
        }
        guard !self.methods.isEmpty else { throw CacheError(.invalidConfiguration, "\(label): methods is empty") }
        do {
            try self.loadPolicy.validate()
        } catch {
            throw CacheError(.invalidConfiguration, "\(label): \(error.message)")
        }
    }
}
