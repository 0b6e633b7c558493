import CoreMetrics
import Tracing

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
public struct CacheBoundaries: Sendable {
    /// The endpoints, in matching order.
    public let endpoints: [CacheEndpoint]
    /// The endpoints' path patterns, split once.
    private let patterns: [PathPattern]
    private let decisions: DecisionCounters?

    /// Creates boundaries; `metricsFactory` defaults to the global one as it is now.
    /// - Throws: ``CacheError/Code/invalidConfiguration`` naming the endpoint and setting at fault, two
    ///   endpoints with one name, or an endpoint named `none` (the `boundary` of unmatched requests).
    public init(_ endpoints: [CacheEndpoint], metricsFactory: (any MetricsFactory)? = nil) throws(CacheError) {
        var names: Set<String> = []
        for endpoint in endpoints {
            try endpoint.validate()
            guard endpoint.name != "none" else {
                throw CacheError(.invalidConfiguration, "the endpoint name 'none' is reserved for requests no endpoint matches")
            }
            guard names.insert(endpoint.name).inserted else {
                throw CacheError(.invalidConfiguration, "two endpoints are named '\(endpoint.name)'")
            }
        }
        self.endpoints = endpoints
        self.patterns = endpoints.map { PathPattern($0.path) }
        self.decisions = DecisionCounters(factory: metricsFactory ?? MetricsSystem.factory, endpoints: endpoints)
    }

    /// Decides for `request`, and counts the decision.
    public func decide(_ request: CacheRequest) -> BoundaryDecision {
        let decision = self.decision(for: request)
        self.decisions?.count(decision)
        return decision
    }

    private func decision(for request: CacheRequest) -> BoundaryDecision {
        let path = request.path.split(separator: "/")
        guard let index = self.patterns.firstIndex(where: { $0.matches(path) }) else {
            return BoundaryDecision(endpoint: nil, outcome: .bypass(.noBoundary))
        }
        let endpoint = self.endpoints[index]
        guard endpoint.methods.contains(request.method.uppercased()) else {
            return BoundaryDecision(endpoint: endpoint, outcome: .bypass(.method))
        }
        let user: String?
        switch endpoint.scope {
        case .shared:
            if request.carriesIdentity { return BoundaryDecision(endpoint: endpoint, outcome: .bypass(.personalised)) }
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
            var parameters: [String: [String]] = [:]
            for (name, value) in request.query {
                parameters[PaginationBoundary.normaliseName(name), default: []].append(PaginationBoundary.normaliseValue(value))
            }
            pageKey = PaginationBoundary.canonicalKey(path: request.path, parameters: parameters)
        }
        // Vary headers and the user follow the path and query, percent-encoded, after separators that encoding never
        // produces: a key can only be equal to another made from the same parts.
        var key = pageKey
        for header in endpoint.varyHeaders {
            key += " " + PaginationBoundary.percentEncoded(header, keeping: "") + "="
                + PaginationBoundary.percentEncoded(request.header(header)?.lowercased() ?? "", keeping: "")
        }
        if let user {
            key += " @" + PaginationBoundary.percentEncoded(user, keeping: "")
        }
        return BoundaryDecision(endpoint: endpoint, outcome: .cache(key: key))
    }
}

/// What ``CacheBoundaries`` decided for one request.
public struct BoundaryDecision: Sendable {
    /// Cache under a key, or bypass for a reason.
    public enum Outcome: Sendable, Hashable {
        /// Read through the cache under this key.
        case cache(key: String)
        /// Go straight to the origin.
        case bypass(PaginationBoundary.BypassReason)
    }

    /// The endpoint that decided; `nil` when none matched.
    public let endpoint: CacheEndpoint?
    /// The outcome.
    public let outcome: Outcome

    /// The cache key, when the request is cached.
    public var key: String? {
        if case .cache(let key) = self.outcome { return key }
        return nil
    }

    /// Why the request bypasses the cache, when it does.
    public var bypassReason: PaginationBoundary.BypassReason? {
        if case .bypass(let reason) = self.outcome { return reason }
        return nil
    }

    /// The `decision` metric dimension and span attribute: `cache`, or the bypass reason.
    public var name: String { self.bypassReason?.name ?? "cache" }

    /// The `boundary` metric dimension and span attribute: the endpoint's name, or `none`.
    public var boundaryName: String { self.endpoint?.name ?? "none" }

    /// Writes `cache.boundary` and `cache.decision` on `span` (the request's span, say), when it is recording.
    public func record(on span: any Span) {
        guard span.isRecording else { return }
        span.attributes["cache.boundary"] = self.boundaryName
        span.attributes["cache.decision"] = self.name
    }
}

/// `cache.boundary_decisions` counters, one per boundary and decision, all made up front so that a decision
/// only looks its counter up.
private struct DecisionCounters: Sendable {
    /// Boundary name (`none` for requests no endpoint matched), then decision name.
    private let counters: [String: [String: Counter]]

    init?(factory: any MetricsFactory, endpoints: [CacheEndpoint]) {
        guard !(factory is NOOPMetricsHandler) else { return nil }
        let decisions = ["cache"] + PaginationBoundary.BypassReason.all.map(\.name)
        var counters: [String: [String: Counter]] = [:]
        for boundary in endpoints.map(\.name) + ["none"] {
            counters[boundary] = Dictionary(uniqueKeysWithValues: decisions.map { decision in
                (decision, Counter(
                    label: "cache.boundary_decisions",
                    dimensions: [("boundary", boundary), ("decision", decision)],
                    factory: factory
                ))
            })
        }
        self.counters = counters
    }

    func count(_ decision: BoundaryDecision) {
        self.counters[decision.boundaryName]?[decision.name]?.increment()
    }
}
