import CacheLayer

/// Tags and guarded loads on one Redis server (see `RedisTagging`): a tagged read costs what an untagged one does;
/// a tagged write adds one script per tag; a load's miss adds one script (plus one per tag), and its store is a
/// script instead of a SET.
extension RedisBackend: RedisKeyRouting {
    /// One server holds every key.
    func execute(_ command: RedisCommand, key: [UInt8]) async throws(CacheError) -> RedisReply {
        try await self.execute(command)
    }

    func unlink(_ keys: [[UInt8]]) async throws(CacheError) {
        _ = try await self.execute(NamespaceFlush.unlinkCommand(keys))
    }

    public func set(_ key: CacheKey, to value: [UInt8], ttl: Duration?, tags: [CacheTag]) async throws(CacheError) {
        try await RedisTagging.set(
            self, self.redisKey(key), value, ttl: ttl, tags: tags, maximumValueSize: self.configuration.maximumValueSize
        )
    }

    public func beginLoad(
        of key: CacheKey, tags: [CacheTag], ttl: Duration?, window: Duration
    ) async throws(CacheError) -> CacheLoadToken {
        try await RedisTagging.beginLoad(self, self.redisKey(key), tags: tags, ttl: ttl, window: window)
    }

    public func finishLoad(
        of key: CacheKey, storing value: [UInt8], ttl: Duration?, token: CacheLoadToken
    ) async throws(CacheError) -> Bool {
        try await RedisTagging.finishLoad(
            self, self.redisKey(key), value, ttl: ttl, token: token,
            maximumValueSize: self.configuration.maximumValueSize)
    }

    public func endLoad(of key: CacheKey, token: CacheLoadToken) async throws(CacheError) -> Bool {
        try await RedisTagging.endLoad(self, self.redisKey(key), token: token)
    }

    public func invalidate(tags: [CacheTag]) async throws(CacheError) {
        try await RedisTagging.invalidate(self, tags: tags)
    }
}
