extension Cache {
    /// Removes every entry of this cache stored with any of `tags` (by `put`, `putBytes`, `getOrLoad` or
    /// `readThrough`), in every process sharing the backend: once this returns, no read anywhere finds one of them,
    /// and no load in flight with one of the tags stores its value. Recorded as a `cache.invalidate` span (with
    /// `cache.tags`), counted in `cache.invalidated_tags`.
    ///
    /// ```swift
    /// try await cache.put("order:42", value: order, ttl: .seconds(300), tags: ["orders", "store:7"])
    /// try await cache.invalidate(tags: ["store:7"])  // "order:42" is now a miss everywhere
    /// ```
    ///
    /// With ``Configuration/failOpen``, an invalidation that fails because the backend is down is kept, counted
    /// (`cache.failed_invalidations`) and logged, and replayed before the cache reads from the backend again.
    /// - Throws: ``CacheError/Code/invalidTag`` for an empty or too long tag;
    ///   ``CacheError/Code/unsupportedOperation`` when the backend has no tags; backend failures only when
    ///   ``Configuration/failOpen`` is `false`.
    public nonisolated(nonsending) func invalidate(tags: [String]) async throws(CacheError) {
        let cacheTags = try self.makeTags(tags)
        guard !cacheTags.isEmpty else { return }
        // A caller that misses after this returns loads afresh rather than join a load that began before it.
        defer { self.core.flights.detachAll() }
        let operation = self.core.observer.begin(.invalidate, keys: .none, tags: cacheTags.map(\.name))
        do {
            if self.core.failedInvalidations.isPending {
                _ = await self.replayFailedInvalidations()
            }
            try await self.core.backend.invalidate(tags: cacheTags)
            self.core.observer.metrics?.recordInvalidatedTags(cacheTags.count)
            if let operation { self.core.observer.end(operation, .removed) }
        } catch {
            self.keepForReplay(.tags(cacheTags), after: error)
            try self.recover(from: error, operation, .invalidate, keys: .none)
        }
    }

    /// Replays the removals and invalidations that failed while the backend was down, oldest first, stopping at
    /// the first that fails again. Returns whether none is left.
    ///
    /// The cache calls it itself before any read or write while one is left (and reads nothing from the backend
    /// until it succeeds); call it on a timer to replay them in a process that makes no calls.
    @discardableResult
    public nonisolated(nonsending) func replayFailedInvalidations() async -> Bool {
        let queue = self.core.failedInvalidations
        let entries = queue.snapshot()
        var replayed: [FailedInvalidations.Entry] = []
        for entry in entries {
            do throws(CacheError) {
                switch entry {
                case .key(let key): _ = try await self.core.backend.delete(key)
                case .tags(let tags): try await self.core.backend.invalidate(tags: tags)
                case .namespace: try await self.core.backend.deleteAll(in: self.core.namespace)
                }
            } catch {
                break
            }
            replayed.append(entry)
            self.core.observer.metrics?.recordFailedInvalidation(.replayed)
        }
        queue.forget(first: replayed)
        if !replayed.isEmpty {
            self.core.observer.noteReplayedInvalidations(replayed.count, left: queue.isPending)
        }
        return !queue.isPending
    }

    /// Keeps a removal that failed for replay, when the cache fails open and the backend failed.
    func keepForReplay(_ entry: FailedInvalidations.Entry, after error: CacheError) {
        guard self.core.configuration.failOpen, error.isBackendFailure else { return }
        let event = self.core.failedInvalidations.record(entry)
        self.core.observer.metrics?.recordFailedInvalidation(event)
        self.core.observer.warnInvalidationKept(collapsed: event == .collapsed, error)
    }

    /// The tags of this cache's namespace for `names`, each once, in order.
    func makeTags(_ names: [String]) throws(CacheError) -> [CacheTag] {
        guard !names.isEmpty else { return [] }
        var tags: [CacheTag] = []
        tags.reserveCapacity(names.count)
        for name in names {
            let tag = try CacheTag(namespace: self.core.namespace, name: name)
            if !tags.contains(tag) { tags.append(tag) }
        }
        return tags
    }

    /// What became of a guarded store (``storeGuarded(_:_:ttl:tags:token:)``).
    enum GuardedStore: Equatable {
        /// The backend stored the value.
        case stored
        /// The backend refused it: the key was written, removed or invalidated since the load began, in this process
        /// or another, or the guard lapsed.
        case refused
        /// It never reached the backend's check: invalidations that failed are still waiting for replay, or the
        /// backend failed and the cache fails open.
        case skipped
    }

    /// Stores a loaded value unless a removal or invalidation came after `token` was taken, recording a
    /// `cache.put` whose `cache.write` says whether it stored.
    nonisolated(nonsending) func storeGuarded(
        _ key: CacheKey, _ bytes: [UInt8], ttl: Duration?, tags: [CacheTag], token: CacheLoadToken
    ) async throws(CacheError) -> GuardedStore {
        let operation = self.core.observer.begin(.put, keys: .one(key), tags: tags.map(\.name))
        if self.core.failedInvalidations.isPending, await !self.replayFailedInvalidations() {
            if let operation { self.core.observer.end(operation, .written(false, size: bytes.count, ttl: ttl)) }
            return .skipped
        }
        do {
            let stored = try await self.core.backend.finishLoad(of: key, storing: bytes, ttl: ttl, token: token)
            if !stored { self.core.observer.metrics?.recordDiscardedLoad() }
            if let operation { self.core.observer.end(operation, .written(stored, size: bytes.count, ttl: ttl)) }
            return stored ? .stored : .refused
        } catch {
            try self.recover(from: error, operation, .put, keys: .one(key))
            return .skipped
        }
    }

    /// Starts a guarded load of `key` (see ``CacheBackend/beginLoad(of:tags:ttl:window:)``); `nil` when the backend
    /// failed and the cache fails open: the value is then returned but not stored, since no removal could win
    /// over it.
    nonisolated(nonsending) func beginLoad(
        _ key: CacheKey, tags: [CacheTag], ttl: Duration?
    ) async throws(CacheError) -> CacheLoadToken? {
        do {
            return try await self.core.backend.beginLoad(
                of: key, tags: tags, ttl: ttl, window: self.core.configuration.loadWindow)
        } catch {
            try self.recover(from: error, nil, .put, keys: .one(key))
            return nil
        }
    }
}
