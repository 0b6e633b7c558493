extension Cache {
    /// Returns the value stored under `key`, decoded with the configured codec, or `nil` on a miss. A value that a
    /// read-through keeps past its TTL (a grace period, ``LoadPolicy/maximumStaleAge``) is a miss here: only a
    /// read-through, which loads it again, serves it stale.
    ///
    /// Bytes that do not decode as `Value` (written by another version of the type, say) are a miss: counted in
    /// `cache.decode_failures`, logged as a warning, and left in place.
    public nonisolated(nonsending) func get<Value: Decodable>(
        _ key: String, as type: Value.Type = Value.self
    ) async throws(CacheError) -> Value? {
        try await self.read(try self.makeKey(key)) {
            (bytes) throws(CacheError) -> (value: Value, stale: Bool, writtenAt: Duration?)? in
            // A value written by a read-through with a grace period carries a freshness header; a value past it, or
            // a frame this version does not read, is a miss.
            guard let found = StoredFrame.freshValue(bytes, now: self.configuration.freshnessClock.now()) else {
                return nil
            }
            return (try self.decode(type, from: found.value), false, found.writtenAt)
        }?.value
    }

    /// Encodes `value` with the configured codec and stores it under `key` for `ttl` (`nil`: until evicted).
    /// With `tags`, the entry is removed by ``invalidate(tags:)`` of any of them.
    /// - Throws: ``CacheError/Code/invalidKey``, ``CacheError/Code/invalidTTL``, ``CacheError/Code/invalidTag``,
    ///   ``CacheError/Code/encodeFailure``, ``CacheError/Code/valueTooLarge``,
    ///   ``CacheError/Code/unsupportedOperation`` for tags on a backend without them; backend failures only when
    ///   ``Configuration/failOpen`` is `false`.
    public nonisolated(nonsending) func put<Value: Encodable>(
        _ key: String, value: Value, ttl: Duration? = nil, tags: [String] = []
    ) async throws(CacheError) {
        let cacheKey = try self.makeKey(key)
        try self.validate(ttl: ttl)
        let cacheTags = try self.makeTags(tags)
        let bytes = try self.encode(value)
        try await self.store(
            cacheKey, self.framing(bytes), ttl: ttl.map { self.storedTTL($0) }, tags: cacheTags)
    }

    func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws(CacheError) -> Value {
        do {
            return try self.core.configuration.codec.decode(type, from: bytes)
        } catch {
            throw CacheError(.decodeFailure, "the stored bytes do not decode as \(Value.self)", underlying: error)
        }
    }

    func encode<Value: Encodable>(_ value: Value) throws(CacheError) -> [UInt8] {
        do {
            return try self.core.configuration.codec.encode(value)
        } catch {
            throw CacheError(.encodeFailure, "the value of type \(Value.self) did not encode", underlying: error)
        }
    }

    /// The coding of `getOrLoad`: every value stored, through the configured codec. The closures capture only the
    /// cache's shared core, one reference, so making them allocates nothing.
    func codableCoding<Value: Codable & Sendable>(_ type: Value.Type) -> CacheValueCoding<Value> {
        let core = self.core
        return CacheValueCoding(
            encode: { try core.configuration.codec.encode($0) },
            decode: { try core.configuration.codec.decode(Value.self, from: $0) }
        )
    }
}
