import CacheLayer

/// Tags and guarded loads on a Redis Cluster (see `RedisTagging`): every script touches one key's slot, or one
/// tag's (its set and its invalidating set share the tag's hash tag), so each runs on one master; tags are spread
/// over the masters by name. An invalidation unlinks the members slot by slot, in parallel.
extension RedisClusterBackend: RedisKeyRouting {
    func unlink(_ keys: [[UInt8]]) async throws(CacheError) {
        _ = try await self.inParallel(Dictionary(grouping: keys, by: HashSlot.of)) { (slot, group) throws(CacheError) in
            try await self.execute(NamespaceFlush.unlinkCommand(group), slot: slot)
        }
    }

    public func set(_ key: CacheKey, to value: [UInt8], ttl: Duration?, tags: [CacheTag]) async throws(CacheError) {
        try await RedisTagging.set(
            self, self.keyLayout.redisKey(key), value, ttl: ttl, tags: tags,
            maximumValueSize: self.configuration.maximumValueSize)
    }

    public func beginLoad(
        of key: CacheKey, tags: [CacheTag], ttl: Duration?, window: Duration
    ) async throws(CacheError) -> CacheLoadToken {
        try await RedisTagging.beginLoad(self, self.keyLayout.redisKey(key), tags: tags, ttl: ttl, window: window)
    }

    public func finishLoad(
        of key: CacheKey, storing value: [UInt8], ttl: Duration?, token: CacheLoadToken
    ) async throws(CacheError) -> Bool {
        try await RedisTagging.finishLoad(
            self, self.keyLayout.redisKey(key), value, ttl: ttl, token: token,
            maximumValueSize: self.configuration.maximumValueSize)
    }

    public func endLoad(of key: CacheKey, token: CacheLoadToken) async throws(CacheError) -> Bool {
        try await RedisTagging.endLoad(self, self.keyLayout.redisKey(key), token: token)
    }

    public func invalidate(tags: [CacheTag]) async throws(CacheError) {
        try await RedisTagging.invalidate(self, tags: tags)
    }
}
