import CoreMetrics

/// Per-endpoint cache boundaries: for each request, whether it is cached, under which key, for how long and with
/// which stampede protection, or why it bypasses the cache.
///
/// ```swift
/// let boundaries = try CacheBoundaries([
///     CacheEndpoint(
///         name: "order-items",
///         path: "/admin/order-items",
///         ttl: .seconds(60),
///         pagination: PaginationBoundary(highestCachedPage: 1, commonFilters: ["status": ["open", "shipped"]])
///     )
/// ])
/// let decision = boundaries.decide(CacheRequest(path: "/admin/order-items", query: [("page", "2")]))
/// // decision.bypassReason == .deepPage
/// ```
///
/// Each decision is counted in `cache.boundary_decisions` (dimensions `boundary` and `decision`: `cache` or the
/// bypass reason) and can be written on a span with ``BoundaryDecision/record(on:)``, so an endpoint's misses
/// can be read per reason. Endpoints are matched in order; the first whose path and method match decides.
///
/// **The key rule:** two requests share an entry only if the handler would receive the same input. A key holds,
/// byte for byte: the scheme and the authority (and any `Host` header field) unless the endpoint
/// ``CacheEndpoint/ignoresHost``, the path, the query parameters (only the order of distinct names is canonical; see
/// ``PaginationBoundary``), every value of each vary header (a missing header is not an empty one), and on per-user
/// endpoints the user. Folding is opt-in per named parameter or header (``ParameterFolding``). A shared endpoint
/// never caches a request that carries one of the ``identityHeaders`` or is marked
/// ``CacheRequest/isPersonalised``.
public struct CacheBoundaries: Sendable {
    /// The request headers that say who is asking, by default ``defaultIdentityHeaders``: a request carrying any of
    /// them (even empty) bypasses shared endpoints. Lowercased.
    public let identityHeaders: [String]
    /// ``identityHeaders`` as a set, for the lookup of each request header.
    private let identityHeaderSet: Set<String>
    /// The endpoints, in matching order.
    public let endpoints: [CacheEndpoint]
    /// The endpoints' path patterns, split once.
    private let patterns: [PathPattern]
    /// The endpoints' tags, parsed once, by endpoint index.
    private let endpointTags: [[TagTemplate]]
    /// Which writes invalidate which tags, in order.
    public let invalidationRules: [CacheInvalidationRule]
    /// The rules' path patterns and tags, parsed once.
    private let rules: [(pattern: PathPattern, tags: [TagTemplate])]
    private let decisions: DecisionCounters?
    /// Each endpoint's readable counters by endpoint index, then `none`'s.
    private let tallies: [BoundaryTally]

    /// The identity headers of a request unless configured otherwise: credentials (`Authorization`,
    /// `Proxy-Authorization`), sessions (`Cookie`), the usual API key and token headers (`X-Api-Key`, `Api-Key`,
    /// `X-Auth-Token`, `X-Access-Token`, `X-Session-Token`, `X-Session-Id`, `X-Csrf-Token`, `X-Amz-Security-Token`),
    /// and the identities that authenticating proxies add in front of a server (oauth2-proxy's
    /// `X-Forwarded-User`, `X-Forwarded-Email`, `X-Forwarded-Access-Token`, `X-Auth-Request-User`,
    /// `X-Auth-Request-Email`, `X-Auth-Request-Access-Token`; `X-Remote-User`; AWS ALB's `X-Amzn-Oidc-Data`,
    /// `X-Amzn-Oidc-Identity`, `X-Amzn-Oidc-Accesstoken`; Google IAP's `X-Goog-Iap-Jwt-Assertion`; Cloudflare
    /// Access's `Cf-Access-Jwt-Assertion`; Azure App Service's `X-Ms-Client-Principal`, `X-Ms-Client-Principal-Id`,
    /// `X-Ms-Token-Aad-Access-Token`).
    public static let defaultIdentityHeaders: [String] = [
        "authorization", "proxy-authorization", "cookie",
        "x-api-key", "api-key", "x-auth-token", "x-access-token", "x-session-token", "x-session-id", "x-csrf-token",
        "x-amz-security-token",
        "x-forwarded-user", "x-forwarded-email", "x-forwarded-access-token",
        "x-auth-request-user", "x-auth-request-email", "x-auth-request-access-token", "x-remote-user",
        "x-amzn-oidc-data", "x-amzn-oidc-identity", "x-amzn-oidc-accesstoken",
        "x-goog-iap-jwt-assertion", "cf-access-jwt-assertion",
        "x-ms-client-principal", "x-ms-client-principal-id", "x-ms-token-aad-access-token",
    ]

    /// Creates boundaries.
    /// - Parameters:
    ///   - endpoints: the endpoints, in matching order (the first whose path and method match decides).
    ///   - identityHeaders: the headers that make a request personal (``defaultIdentityHeaders`` unless given; add
    ///     your own session header to them rather than replacing them).
    ///   - invalidationRules: which successful writes invalidate which tags (``CacheInvalidationRule``); none by
    ///     default.
    ///   - metricsFactory: where the `cache.boundary_decisions` counters go; `nil` (the default) uses the global
    ///     factory as it is now.
    /// - Throws: ``CacheError/Code/invalidConfiguration`` naming the endpoint and setting at fault (every number
    ///   of a pagination boundary is checked, every tag template is parsed against the path), two endpoints with
    ///   one name, an endpoint named `none` (the `boundary` of unmatched requests), an empty identity header name,
    ///   or an invalidation rule at fault (a safe method, no tags, a template naming a parameter its path lacks,
    ///   two rules with one name).
    public init(
        _ endpoints: [CacheEndpoint],
        identityHeaders: [String] = CacheBoundaries.defaultIdentityHeaders,
        invalidationRules: [CacheInvalidationRule] = [],
        metricsFactory: (any MetricsFactory)? = nil
    ) throws(CacheError) {
        guard !identityHeaders.contains(where: \.isEmpty) else {
            throw CacheError(.invalidConfiguration, "identityHeaders: a header name is empty")
        }
        self.identityHeaders = identityHeaders.map { $0.lowercased() }
        self.identityHeaderSet = Set(self.identityHeaders)
        var names: Set<String> = []
        for endpoint in endpoints {
            try endpoint.validate()
            guard endpoint.name != "none" else {
                throw CacheError(
                    .invalidConfiguration, "the endpoint name 'none' is reserved for requests no endpoint matches")
            }
            guard names.insert(endpoint.name).inserted else {
                throw CacheError(.invalidConfiguration, "two endpoints are named '\(endpoint.name)'")
            }
        }
        var endpointTags: [[TagTemplate]] = []
        for endpoint in endpoints {
            do {
                endpointTags.append(try endpoint.tagTemplates())
            } catch {
                throw CacheError(.invalidConfiguration, "endpoint '\(endpoint.name)': \(error.message)")
            }
        }
        var ruleNames: Set<String> = []
        var rules: [(pattern: PathPattern, tags: [TagTemplate])] = []
        for rule in invalidationRules {
            rules.append((PathPattern(rule.path), try rule.tagTemplates()))
            guard ruleNames.insert(rule.name).inserted else {
                throw CacheError(.invalidConfiguration, "two invalidation rules are named '\(rule.name)'")
            }
        }
        self.endpoints = endpoints
        self.patterns = endpoints.map { PathPattern($0.path) }
        self.endpointTags = endpointTags
        self.invalidationRules = invalidationRules
        self.rules = rules
        self.decisions = DecisionCounters(factory: metricsFactory ?? MetricsSystem.factory, endpoints: endpoints)
        self.tallies = (0...endpoints.count).map { _ in BoundaryTally() }
    }

    /// Decides for `request`, and counts the decision (in `cache.boundary_decisions` and in ``statistics()``).
    public func decide(_ request: CacheRequest) -> BoundaryDecision {
        // A path is keyed after the authority; one that does not start with `/` could be read as part of it.
        var path: [Substring] = []
        var index: Int?
        if request.path.utf8.first == UInt8(ascii: "/") {
            path = PathPattern.segments(of: request.path)
            index = self.patterns.firstIndex { $0.matches(path) }
        }
        var decision =
            index.map { self.decision(for: request, endpointAt: $0, path: path) }
            ?? BoundaryDecision(endpoint: nil, outcome: .bypass(.noBoundary))
        let boundary = index ?? self.endpoints.count
        self.decisions?.count(decision, boundary: boundary)
        decision.tally = self.tallies[boundary]
        decision.tally?.count(decision)
        return decision
    }

    /// A snapshot of every boundary's counters by boundary name (`none` for requests no endpoint matched): exact
    /// counts since these boundaries were made, whatever metrics factory or tracer is bootstrapped. Read-only; two
    /// snapshots subtract to the activity in between.
    public func statistics() -> [String: BoundaryStatistics] {
        var statistics: [String: BoundaryStatistics] = [:]
        for (index, tally) in self.tallies.enumerated() {
            statistics[index < self.endpoints.count ? self.endpoints[index].name : "none"] = tally.snapshot
        }
        return statistics
    }

    /// The decision of the endpoint at `index`, whose pattern matched the request's `path` segments.
    private func decision(for request: CacheRequest, endpointAt index: Int, path: [Substring]) -> BoundaryDecision {
        let endpoint = self.endpoints[index]
        guard endpoint.methods.contains(request.method.uppercased()) else {
            return BoundaryDecision(endpoint: endpoint, outcome: .bypass(.method))
        }
        let user: String?
        switch endpoint.scope {
        case .shared:
            if request.isPersonalised || self.carriesIdentity(request) {
                return BoundaryDecision(endpoint: endpoint, outcome: .bypass(.personalised))
            }
            user = nil
        case .perUser:
            guard let id = request.userID, !id.isEmpty else {
                return BoundaryDecision(endpoint: endpoint, outcome: .bypass(.personalised))
            }
            user = id
        }
        let pageKey: String
        if let pagination = endpoint.pagination {
            switch pagination.decide(path: request.path, query: request.query) {
            case .cache(let key): pageKey = key
            case .bypass(let reason): return BoundaryDecision(endpoint: endpoint, outcome: .bypass(reason))
            }
        } else {
            pageKey = PaginationBoundary.canonicalKey(path: request.path, parameters: request.query)
        }
        // Layout: [scheme://authority]path[?query][ host=v...][ name[=v...]...][ @user]. Every part is
        // percent-encoded, and the separators (`:`, `//`, `?`, space, `=`, `@`, `!`, `*`) are characters encoding
        // never produces, so a key can only be equal to another made from the same parts. A missing scheme or
        // authority is `!`, an ignored authority `*`; a key with neither scheme nor authority has no prefix (and no
        // `:` anywhere).
        var key = KeyText(capacity: 64 + pageKey.utf8.count)
        let authority = endpoint.ignoresHost ? nil : request.authority
        if request.scheme != nil || authority != nil || endpoint.ignoresHost {
            if let scheme = request.scheme { key.appendEncoded(scheme) } else { key.append("!") }
            key.append("://")
            if endpoint.ignoresHost {
                key.append("*")
            } else if let authority {
                key.appendEncoded(authority, keeping: UInt8(ascii: ":"))
            } else {
                key.append("!")
            }
        }
        key.append(encoded: pageKey)
        if !endpoint.ignoresHost {
            // `Host` header fields the authority did not absorb (HTTP/1 servers move the first into the authority).
            let hosts = request.headerValues("host")
            if !hosts.isEmpty {
                key.append(" host")
                Self.appendValues(hosts, to: &key)
            }
        }
        // Each vary header: its name, then `=value` per field in request order; no `=` at all when it is missing.
        for header in endpoint.varyHeaders where endpoint.ignoresHost || header != "host" {
            var values = request.headerValues(header)
            if let folding = endpoint.varyHeaderFolding.isEmpty ? nil : endpoint.varyHeaderFolding[header] {
                if values.isEmpty, let absent = ParameterFolding.absentValue(folding) { values = [absent] }
                values = values.map { ParameterFolding.fold($0, folding) }
            }
            key.append(" ")
            key.appendEncoded(header)
            Self.appendValues(values, to: &key)
        }
        if let user {
            key.append(" @")
            key.appendEncoded(user)
        }
        var decision = BoundaryDecision(endpoint: endpoint, outcome: .cache(key: key.string))
        if !self.endpointTags[index].isEmpty {
            // From the query as the key holds it (folded, volatile parameters dropped): requests that share the
            // entry give it the same tags, whichever of them stores it.
            let query = endpoint.pagination?.keyedQuery(request.query) ?? request.query
            guard let tags = self.endpointTags[index].expand(path: path, query: query) else {
                return BoundaryDecision(endpoint: endpoint, outcome: .bypass(.unresolvedTag))
            }
            decision.tags = tags
        }
        return decision
    }

    /// What the invalidation rules say about `request`: `nil` when no rule's path and method match it; otherwise
    /// the matching rules and the tags they build from it, to invalidate once its response is known to be a
    /// success (``TagInvalidation/invalidates(status:)``).
    public func invalidation(for request: CacheRequest) -> TagInvalidation? {
        guard !self.rules.isEmpty, request.path.utf8.first == UInt8(ascii: "/") else { return nil }
        let method = request.method.uppercased()
        let path = PathPattern.segments(of: request.path)
        var names: [String] = []
        var tags: [String] = []
        var skipped = 0
        for (index, rule) in self.rules.enumerated()
        where self.invalidationRules[index].methods.contains(method) && rule.pattern.matches(path) {
            names.append(self.invalidationRules[index].name)
            for template in rule.tags {
                guard let built = template.expand(path: path, query: request.query) else {
                    skipped += 1
                    continue
                }
                for tag in built { tags.appendUnlessHeld(tag) }
            }
        }
        guard !names.isEmpty else { return nil }
        return TagInvalidation(rules: names, tags: tags, skippedTemplates: skipped)
    }

    /// Appends `=value` per value, percent-encoded.
    private static func appendValues(_ values: [String], to key: inout KeyText) {
        for value in values {
            key.append("=")
            key.appendEncoded(value)
        }
    }

    /// Whether the request carries one of the identity headers, even empty.
    private func carriesIdentity(_ request: CacheRequest) -> Bool {
        request.headers.contains { self.identityHeaderSet.contains($0.name.lowercased()) }
    }
}
