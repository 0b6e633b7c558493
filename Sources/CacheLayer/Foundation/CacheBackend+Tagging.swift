/// The defaults of the tag and guarded-load operations, for backends that have no tag index: untagged writes and
/// unguarded loads work as before; anything that needs tags throws ``CacheError/Code/unsupportedOperation``.
extension CacheBackend {
    /// ``set(_:to:ttl:)`` when `tags` is empty; ``CacheError/Code/unsupportedOperation`` otherwise.
    public nonisolated(nonsending) func set(
        _ key: CacheKey, to value: [UInt8], ttl: Duration?, tags: [CacheTag]
    ) async throws(CacheError) {
        guard tags.isEmpty else { throw Self.tagsUnsupported }
        try await self.set(key, to: value, ttl: ttl)
    }

    /// ``CacheLoadToken/unguarded`` when `tags` is empty; ``CacheError/Code/unsupportedOperation`` otherwise.
    public nonisolated(nonsending) func beginLoad(
        of key: CacheKey, tags: [CacheTag], ttl: Duration?, window: Duration
    ) async throws(CacheError) -> CacheLoadToken {
        guard tags.isEmpty else { throw Self.tagsUnsupported }
        return .unguarded
    }

    /// Stores the value with ``set(_:to:ttl:)`` and returns `true`: without a guard, a removal does not win.
    public nonisolated(nonsending) func finishLoad(
        of key: CacheKey, storing value: [UInt8], ttl: Duration?, token: CacheLoadToken
    ) async throws(CacheError) -> Bool {
        try await self.set(key, to: value, ttl: ttl)
        return true
    }

    /// Returns `true`: without a guard, nothing a removal does shows in the load.
    public nonisolated(nonsending) func endLoad(
        of key: CacheKey, token: CacheLoadToken
    ) async throws(CacheError) -> Bool {
        true
    }

    /// Throws ``CacheError/Code/unsupportedOperation``.
    public nonisolated(nonsending) func invalidate(tags: [CacheTag]) async throws(CacheError) {
        throw Self.tagsUnsupported
    }

    private static var tagsUnsupported: CacheError {
        CacheError(.unsupportedOperation, "\(Self.self) does not support tags")
    }
}
