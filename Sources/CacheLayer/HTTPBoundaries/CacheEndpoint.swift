/// One endpoint's cache boundary: which of its requests are cached, for how long, under which key, and how
/// loads are protected (its ``LoadPolicy``).
///
/// ```swift
/// let orderItems = CacheEndpoint(
///     name: "order-items",
///     path: "/admin/order-items",
///     ttl: .seconds(60),
///     pagination: PaginationBoundary(highestCachedPage: 1, commonFilters: ["status": ["open", "shipped"]]),
///     loadPolicy: LoadPolicy(gracePeriod: .seconds(30))
/// )
/// ```
public struct CacheEndpoint: Sendable {
    /// Whose responses a cached entry may be served to.
    public enum Scope: String, Sendable, Hashable {
        /// Every caller shares the entry; requests carrying an identity (one of
        /// ``CacheBoundaries/identityHeaders``, or marked ``CacheRequest/isPersonalised``) bypass.
        case shared
        /// Each user has entries of their own: ``CacheRequest/userID`` is part of the key, and a request without
        /// one bypasses.
        case perUser = "per_user"
    }

    /// A short, stable name: the `boundary` dimension of metrics and the `cache.boundary` span attribute.
    public var name: String
    /// The path pattern: literal segments, `:name` or `*` for any one segment, and a final `**` for any rest.
    public var path: String
    /// The methods that may be served from the cache (upper case).
    public var methods: Set<String>
    /// How long a response stays fresh.
    public var ttl: Duration
    /// Which pages and filters are cached; `nil` caches every query, canonicalised.
    public var pagination: PaginationBoundary?
    /// How this endpoint's loads are read through: a lock across processes (concurrent misses in one process
    /// always share one load), a grace period, early refresh, the TTL's jitter (`nil`: the cache's). The default
    /// has none of them.
    public var loadPolicy: LoadPolicy
    /// Request headers whose values select different responses (`Accept-Language`, say): part of the key, every
    /// value byte for byte, a missing header apart from an empty one.
    public var varyHeaders: [String]
    /// Declared foldings of vary header values, per header name (none by default): `["accept-language":
    /// [.ignoreCase]]` when the handler reads the header without case. See ``ParameterFolding``.
    public var varyHeaderFolding: [String: Set<ParameterFolding>]
    /// Whether the response is the same whatever host or authority the request names (`false` by default: the
    /// authority and `Host` are part of the key, since a handler may render absolute links or pick a tenant by host).
    public var ignoresHost: Bool
    /// Whose responses an entry may be served to.
    public var scope: Scope
    /// The tags each cached response is stored with, built from its request (``TagTemplate``: `"orders"`,
    /// `"store:{store}"` for the path parameter `:store`, `"status:{?status}"` for a query value), so that
    /// ``Cache/invalidate(tags:)`` or an ``CacheInvalidationRule`` removes it. A request for which one of them
    /// cannot be built (a missing query value) bypasses the cache (``BypassReason/unresolvedTag``). None by default.
    public var tags: [String]

    /// Creates an endpoint boundary.
    public init(
        name: String,
        path: String,
        methods: Set<String> = ["GET", "HEAD"],
        ttl: Duration,
        pagination: PaginationBoundary? = nil,
        loadPolicy: LoadPolicy = LoadPolicy(),
        varyHeaders: [String] = [],
        varyHeaderFolding: [String: Set<ParameterFolding>] = [:],
        ignoresHost: Bool = false,
        scope: Scope = .shared,
        tags: [String] = []
    ) {
        self.name = name
        self.path = path
        self.methods = Set(methods.map { $0.uppercased() })
        self.ttl = ttl
        self.pagination = pagination
        self.loadPolicy = loadPolicy
        self.varyHeaders = varyHeaders.map { $0.lowercased() }
        self.varyHeaderFolding = Dictionary(
            varyHeaderFolding.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { $0.union($1) })
        self.ignoresHost = ignoresHost
        self.scope = scope
        self.tags = tags
    }

    /// ``tags``, parsed against ``path``.
    /// - Throws: ``CacheError/Code/invalidConfiguration`` naming `tags[i]` for a template that does not parse or
    ///   names a parameter the path does not have.
    func tagTemplates() throws(CacheError) -> [TagTemplate] {
        var templates: [TagTemplate] = []
        for (index, tag) in self.tags.enumerated() {
            templates.append(try TagTemplate(tag, path: self.path, field: "tags[\(index)]"))
        }
        return templates
    }

    /// Checks the settings (every number of the pagination included), naming the endpoint and the first bad field.
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
            try self.pagination?.validate()
            for (name, folding) in self.varyHeaderFolding {
                try ParameterFolding.validate(folding, name: name, field: "varyHeaderFolding")
            }
            _ = try self.tagTemplates()
        } catch {
            throw CacheError(.invalidConfiguration, "\(label): \(error.message)")
        }
    }
}
