extension MemoryBackend {
    /// ``set(_:to:ttl:)`` as a plain call: the store never suspends, so ``set(_:to:ttl:)`` stores through this, and a
    /// tier layered over it (the two-tier backend in `CacheLayerRedis`) must store inside a lock of its own, where no
    /// `await` can be.
    package func setImmediately(_ key: CacheKey, to value: [UInt8], ttl: Duration?) throws(CacheError) {
        let hash = key.hashValue
        let cost = Self.cost(of: key, valueCount: value.count)
        let (expiresAt, now) = self.deadlineAndTime(for: ttl)
        try self.withShard(for: hash) { (store) throws(CacheError) in
            try store.set(
                key, hash: hash, value: value, cost: cost, expiresAt: expiresAt,
                now: { now ?? self.clock.nanosecondsNow() })
        }
    }

    /// ``delete(_:)`` as a plain call (see ``setImmediately(_:to:ttl:)``). Returns whether a live value was removed.
    @discardableResult
    package func deleteImmediately(_ key: CacheKey) -> Bool {
        let hash = key.hashValue
        let clock = self.configuration.clock
        return self.withShard(for: hash) { store in store.delete(key, hash: hash, now: { clock.nanosecondsNow() }) }
    }

    /// ``deleteAll(in:)`` as a plain call (see ``setImmediately(_:to:ttl:)``); with no namespace, every entry of
    /// every namespace.
    package func deleteAllImmediately(in namespace: CacheNamespace?) {
        for index in 0..<self.shardCount {
            let (before, after) = self.withExclusiveAccess(toShard: index) { store in
                let before = store.counters
                store.removeAll(in: namespace)
                return (before, store.counters)
            }
            self.metrics?.record(from: before, to: after)
        }
    }
}
