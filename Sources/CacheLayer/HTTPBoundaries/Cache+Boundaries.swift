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
    public nonisolated(nonsending) func getOrLoad<Value: Codable & Sendable>(
        for decision: BoundaryDecision,
        as type: Value.Type = Value.self,
        loader: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        guard case let (key, endpoint)? = self.readThroughTarget(for: decision) else {
            return try await loader()
        }
        return try await self.getOrLoad(
            key: key, ttl: endpoint.ttl, policy: endpoint.loadPolicy, as: type, loader: loader)
    }

    /// The key and endpoint under which `decision` reads through this cache, or `nil` when the request bypasses it:
    /// a bypass decision, or a key longer than ``Configuration/maximumKeyLength`` (a request with a very long query),
    /// which is not an error for the caller. The one place this is decided, for ``getOrLoad(for:as:loader:)`` and
    /// for middleware that reads through the cache themselves.
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
