extension Cache {
    /// What ``readThrough(key:ttl:policy:tags:coding:adaptiveLoader:)`` would answer at once, when it can be known
    /// without suspending: the stored bytes of `key`, when the backend answers without suspending (the in-memory
    /// tier) and holds them fresh for a read-through of `ttl`, `policy` (`nil`: the cache's) and `tags`. For an
    /// adapter whose framework runs async code on a task of its own, to answer hits without that hop.
    ///
    /// Nothing is recorded yet. The caller decodes the value and records the hit with
    /// ``recordFreshHit(_:writtenAt:)``, as the read-through would record it; or, for bytes that do not
    /// decode, and for what was read and is not fresh (``FreshFrameAttempt/read(_:)``), goes on with the
    /// read-through (``readThrough(key:ttl:policy:tags:coding:prefetched:adaptiveLoader:)``), which decides (a miss,
    /// a stale value, a refresh) without reading the backend again.
    ///
    /// It checks the key, TTL, policy and tags as a read-through does: bad input reads nothing, and the read-through
    /// that follows refuses it. Under early refresh it reads nothing: whether a fresh value is refreshed is a random
    /// draw, which the read-through must make once. It is not generic, so that an adapter's hit runs no generic code
    /// of this module unspecialised (which looks its types' metadata up at run time).
    package func readFreshFrameWithoutSuspending(
        key: String, ttl: Duration?, policy: LoadPolicy?, tags: [String]
    ) -> FreshFrameAttempt {
        // The tags are checked, not made: a hit stores nothing, and making them would allocate on every hit.
        guard let (cacheKey, resolved) = try? self.readThroughInput(key: key, ttl: ttl, policy: policy),
            tags.allSatisfy({ (try? CacheTag.validate(name: $0)) != nil }),
            resolved.earlyRefresh == nil, !self.core.failedInvalidations.isPending,
            case let found? = self.core.backend.getWithoutSuspending(cacheKey)
        else { return .notRead }
        // Fresh as a read-through judges it without early refresh. A frame this version does not read is a miss,
        // which the read-through loads.
        guard let bytes = found, let (frame, offset) = StoredFrame.read(bytes),
            frame.isFresh(at: self.core.configuration.freshnessClock.now())
        else { return .read(PrefetchedRead(bytes: found)) }
        return .fresh(FreshFrame(bytes: bytes, valueOffset: offset, writtenAt: frame.writtenAt, key: cacheKey))
    }

    /// Records the hit of a fresh frame (``readFreshFrameWithoutSuspending(key:ttl:policy:tags:)``) whose value was
    /// written at `writtenAt`, as a read-through records a fresh hit: a `cache.get` span and its metrics. The read
    /// from memory took no time worth measuring: the span begins once the hit is known. Unlike a read-through, it
    /// does not count a cached `nil` in `cache.negative_hits` (``LoadPolicy/negativeTTL``): it does not see the
    /// value, and no adapter that reads this way stores one.
    package func recordFreshHit(_ frame: FreshFrame, writtenAt: Duration?) {
        guard let operation = self.core.observer.begin(.get, keys: .one(frame.key)) else { return }
        self.core.observer.end(
            operation, .hit(size: frame.bytes.count, stale: false, age: writtenAt.map(self.age(since:))))
    }

    /// The key and the policy (`nil`: the cache's) of a read-through of `key`, `ttl` and `policy`, after checking
    /// them, in this order: the TTL, the policy, the key, the policy against the TTL.
    /// - Throws: ``CacheError/Code/invalidTTL``, ``CacheError/Code/invalidConfiguration`` or
    ///   ``CacheError/Code/invalidKey``.
    func readThroughInput(
        key: String, ttl: Duration?, policy: LoadPolicy?
    ) throws(CacheError) -> (key: CacheKey, policy: LoadPolicy) {
        try self.validate(ttl: ttl)
        if let policy { try policy.validate() }
        let cacheKey = try self.makeKey(key)
        let resolved = policy ?? self.core.configuration.loadPolicy
        try resolved.validate(ttl: ttl)
        return (cacheKey, resolved)
    }
}
