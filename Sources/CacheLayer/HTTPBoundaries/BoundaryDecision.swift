import Tracing

/// What ``CacheBoundaries`` decided for one request.
public struct BoundaryDecision: Sendable {
    /// Cache under a key, or bypass for a reason: what a whole boundary decides, and what its pagination decides
    /// (``PaginationBoundary/decide(path:query:isPersonalised:)``).
    public enum Outcome: Sendable, Hashable {
        /// Read through the cache under this key.
        case cache(key: String)
        /// Go straight to the origin.
        case bypass(BypassReason)
    }

    /// The endpoint that decided; `nil` when none matched.
    public let endpoint: CacheEndpoint?
    /// The outcome.
    public let outcome: Outcome
    /// The tags a cached response is stored with: the endpoint's ``CacheEndpoint/tags`` built from the request.
    /// Empty for a bypass.
    public internal(set) var tags: [String] = []
    /// The counters of the boundary that decided, when a ``CacheBoundaries`` made the decision.
    var tally: BoundaryTally? = nil

    /// The cache key, when the request is cached.
    public var key: String? {
        if case .cache(let key) = self.outcome { return key }
        return nil
    }

    /// Why the request bypasses the cache, when it does.
    public var bypassReason: BypassReason? {
        if case .bypass(let reason) = self.outcome { return reason }
        return nil
    }

    /// The `decision` metric dimension and span attribute: `cache`, or the bypass reason.
    public var name: String { self.bypassReason?.name ?? "cache" }

    /// Every ``name``, in the order of ``ordinal``: `cache`, then ``BypassReason/all``'s.
    static let names = ["cache"] + BypassReason.all.map(\.name)

    /// The position of ``name`` in ``names``.
    var ordinal: Int { self.bypassReason.map { $0.ordinal + 1 } ?? 0 }

    /// The `boundary` metric dimension and span attribute: the endpoint's name, or `none`.
    public var boundaryName: String { self.endpoint?.name ?? "none" }

    /// Writes `cache.boundary` and `cache.decision` on `span` (the request's span, say), when it is recording.
    public func record(on span: any Span) {
        guard span.isRecording else { return }
        span.attributes["cache.boundary"] = self.boundaryName
        span.attributes["cache.decision"] = self.name
    }

    /// Counts how the request went, in its boundary's ``BoundaryStatistics`` (``CacheBoundaries/statistics()``):
    /// whether the cache served it, and how long the whole request took (the origin's time included when it ran).
    /// ``Cache/getOrLoad(for:as:loader:)`` and the Hummingbird middleware call it; call it once per decision when
    /// you read through the cache yourself, bypasses included (their durations are counted with the misses).
    /// Does nothing for a decision made without a ``CacheBoundaries``.
    public func recordRead(servedFromCache: Bool, duration: Duration) {
        self.tally?.countRead(servedFromCache: servedFromCache, cached: self.key != nil, duration: duration)
    }
}
