extension Cache {
    /// Applies a boundary decision: reads through the cache under the decision's key with its endpoint's TTL and
    /// load policy, or, for a bypass, just runs `loader`.
    ///
    /// ```swift
    /// let decision = boundaries.decide(CacheRequest(path: "/admin/order-items", query: query))
    /// let page = try await cache.getOrLoad(for: decision) { try await database.orderItems(query) }
    /// ```
    ///
    /// A key longer than ``Configuration/maximumKeyLength`` (a request with a very long query) is not an error
    /// for the caller: the request bypasses the cache.
    ///
    /// The outcome is counted in the boundary's ``BoundaryStatistics``: a miss when this call's `loader` ran, a hit
    /// otherwise (a caller that waited for another caller's load of the same key counts as a hit), with the call's
    /// duration. A call that throws is not counted.
    public nonisolated(nonsending) func getOrLoad<Value: Codable & Sendable>(
        for decision: BoundaryDecision,
        as type: Value.Type = Value.self,
        loader: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let started = ContinuousClock.now
        guard case let (key, endpoint)? = self.readThroughTarget(for: decision) else {
            let value = try await loader()
            decision.recordRead(servedFromCache: false, duration: ContinuousClock.now - started)
            return value
        }
        let loaderRan = LoaderRanFlag()
        let value = try await self.getOrLoad(
            key: key, ttl: endpoint.ttl, policy: endpoint.loadPolicy, as: type,
            loader: {
                loaderRan.set()
                return try await loader()
            })
        decision.recordRead(servedFromCache: !loaderRan.isSet, duration: ContinuousClock.now - started)
        return value
    }

    /// The key and endpoint under which `decision` reads through this cache, or `nil` when the request bypasses it:
    /// a bypass decision, or a key longer than ``Configuration/maximumKeyLength`` (a request with a very long query),
    /// which is not an error for the caller. The one place this is decided, for ``getOrLoad(for:as:loader:)`` and
    /// for middleware that reads through the cache themselves (which then count the outcome with
    /// ``BoundaryDecision/recordRead(servedFromCache:duration:)``).
    ///
    /// ```swift
    /// guard case let (key, endpoint)? = cache.readThroughTarget(for: decision) else { return try await next() }
    /// ```
    public func readThroughTarget(for decision: BoundaryDecision) -> (key: String, endpoint: CacheEndpoint)? {
        guard let key = decision.key, let endpoint = decision.endpoint,
            key.utf8.count <= self.core.configuration.maximumKeyLength
        else {
            return nil
        }
        return (key, endpoint)
    }
}
