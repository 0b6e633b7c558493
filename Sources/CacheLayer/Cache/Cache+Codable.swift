extension Cache {
    /// Returns the value stored under `key`, decoded with the configured codec, or `nil` on a miss.
    ///
    /// Bytes that do not decode as `Value` (written by another version of the type, say) are a miss: counted in
    /// `cache.decode_failures`, logged as a warning, and left in place.
    public nonisolated(nonsending) func get<Value: Decodable>(_ key: String, as type: Value.Type = Value.self) async throws(CacheError) -> Value? {
        let codec = self.core.configuration.codec
        return try await self.read(key) { (bytes) throws(CacheError) in
            do {
                return try codec.decode(type, from: bytes)
            } catch {
                throw CacheError(.decodeFailure, "the stored bytes do not decode as \(Value.self)", underlying: error)
            }
        }
    }

    /// Encodes `value` with the configured codec and stores it under `key` for `ttl` (`nil`: until evicted).
    /// - Throws: ``CacheError/Code/invalidKey``, ``CacheError/Code/invalidTTL``,
    ///   ``CacheError/Code/encodeFailure``, ``CacheError/Code/valueTooLarge``; backend failures only when
    ///   ``Configuration/failOpen`` is `false`.
    public nonisolated(nonsending) func put<Value: Encodable>(_ key: String, value: Value, ttl: Duration? = nil) async throws(CacheError) {
        let cacheKey = try self.makeKey(key)
        try self.validate(ttl: ttl)
        let bytes = try self.encode(value)
        try await self.write(cacheKey, bytes, ttl: ttl)
    }

    /// Returns the cached value for `key`, or runs `loader`, stores its result for `ttl` and returns it
    /// (read-through).
    ///
    /// Concurrent misses of one key in this process share one `loader` call (unless
    /// ``Configuration/coalescesLoads`` is off): every caller gets the same value or the same error. The load runs
    /// in a task of its own, so cancelling one caller (even the first) leaves the load running for the others; the
    /// cancelled caller gets `CancellationError`. A value too large for the backend is returned without being
    /// cached. Errors from `loader` are rethrown and nothing is stored.
    public nonisolated(nonsending) func getOrLoad<Value: Codable & Sendable>(
        key: String,
        ttl: Duration?,
        as type: Value.Type = Value.self,
        loader: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        try self.validate(ttl: ttl)
        if let cached = try await self.get(key, as: type) {
            return cached
        }
        guard self.core.configuration.coalescesLoads else {
            self.core.observer.metrics?.recordLoad(coalesced: false)
            return try await self.loadAndStore(key, ttl: ttl, loader)
        }
        let cache = self
        let (outcome, started) = await self.core.flights.run(try self.makeKey(key)) {
            do {
                return .success(try await cache.loadAndStore(key, ttl: ttl, loader))
            } catch {
                return .failure(error)
            }
        }
        self.core.observer.metrics?.recordLoad(coalesced: !started)
        switch outcome {
        case .success(let value as Value):
            return value
        case .success:
            // Another caller loaded the same key as a different type: load this one on its own.
            return try await self.loadAndStore(key, ttl: ttl, loader)
        case .failure(let error):
            throw error
        }
    }

    /// Runs `loader` and stores its value; a value too large to cache is returned all the same.
    func loadAndStore<Value: Encodable & Sendable>(
        _ key: String,
        ttl: Duration?,
        _ loader: @Sendable () async throws -> Value
    ) async throws -> Value {
        let value = try await loader()
        do {
            try await self.put(key, value: value, ttl: ttl)
        } catch where error.code == .valueTooLarge {
            // Already recorded on the put span and metrics; the callers still get their value.
        }
        return value
    }

    func encode<Value: Encodable>(_ value: Value) throws(CacheError) -> [UInt8] {
        do {
            return try self.core.configuration.codec.encode(value)
        } catch {
            throw CacheError(.encodeFailure, "the value of type \(Value.self) did not encode", underlying: error)
        }
    }
}
