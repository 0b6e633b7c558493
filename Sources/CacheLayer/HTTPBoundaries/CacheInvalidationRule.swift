/// Which writes invalidate cached responses: a request whose method is one of ``methods`` (unsafe methods only) and
/// whose path matches ``path``, answered with a 2xx status, invalidates the tags ``tags`` build from it (the same
/// ``TagTemplate`` syntax as ``CacheEndpoint/tags``), before its response goes back to the client. A response of
/// any other status invalidates nothing.
///
/// ```swift
/// let boundaries = try CacheBoundaries(
///     [CacheEndpoint(name: "store-orders", path: "/stores/:store/orders", ttl: .seconds(60), tags: ["store:{store}"])],
///     invalidationRules: [
///         CacheInvalidationRule(name: "order-status", path: "/stores/:store/orders/:order/status", tags: ["store:{store}"])
///     ]
/// )
/// ```
///
/// Every rule whose path and method match a request applies (not only the first). A tag a rule cannot build from
/// the request (a missing query value) is skipped and counted (`cache.http_invalidations{result=skipped_tag}`); give
/// such rules a literal tag as well when the write may concern every entry.
public struct CacheInvalidationRule: Sendable {
    /// The methods a rule may name: those that change state.
    public static let unsafeMethods: Set<String> = ["POST", "PUT", "PATCH", "DELETE"]

    /// A short, stable name: the `rule` dimension of `cache.http_invalidations`.
    public var name: String
    /// The path pattern, as ``CacheEndpoint/path``: literal segments, `:name` or `*` for one segment, a final `**`.
    public var path: String
    /// The methods that invalidate (upper case); by default every unsafe method.
    public var methods: Set<String>
    /// The tags invalidated, built from the request.
    public var tags: [String]

    /// Creates a rule.
    public init(
        name: String,
        path: String,
        methods: Set<String> = CacheInvalidationRule.unsafeMethods,
        tags: [String]
    ) {
        self.name = name
        self.path = path
        self.methods = Set(methods.map { $0.uppercased() })
        self.tags = tags
    }

    /// Checks the rule and parses its tags, naming the rule and the first bad field.
    func tagTemplates() throws(CacheError) -> [TagTemplate] {
        let label = "invalidation rule '\(self.name)'"
        guard !self.name.isEmpty else {
            throw CacheError(.invalidConfiguration, "an invalidation rule has an empty name")
        }
        guard self.path.hasPrefix("/") else {
            throw CacheError(.invalidConfiguration, "\(label): path must start with '/', got '\(self.path)'")
        }
        guard !self.methods.isEmpty else { throw CacheError(.invalidConfiguration, "\(label): methods is empty") }
        if let safe = self.methods.sorted().first(where: { !Self.unsafeMethods.contains($0) }) {
            throw CacheError(
                .invalidConfiguration,
                "\(label): methods: '\(safe)' is not one of POST, PUT, PATCH, DELETE (only writes invalidate)")
        }
        guard !self.tags.isEmpty else { throw CacheError(.invalidConfiguration, "\(label): tags is empty") }
        var templates: [TagTemplate] = []
        for (index, tag) in self.tags.enumerated() {
            templates.append(try TagTemplate(tag, path: self.path, field: "\(label): tags[\(index)]"))
        }
        return templates
    }
}
