import CacheLayer
import CoreMetrics
import Tracing

/// A memory tier in front of Redis (one server or a cluster), kept coherent by Redis itself: every process's
/// memory tier drops a key as soon as any client changes it in Redis.
///
/// ```swift
/// let redis = try RedisBackend(configuration: .init(url: "redis://127.0.0.1:6379/0"))
/// let backend = try TwoTierBackend(memory: MemoryBackend(byteBudget: 64 << 20), redis: redis)
/// let cache = try Cache(namespace: "products", backend: backend)
/// ```
///
/// Reads ask memory, then Redis, and keep what Redis answered in memory for at most
/// ``Configuration/localTTL`` and never past the entry's expiry in Redis. Writes, removes and flushes go to Redis
/// first, then remove the key from memory (the next read fills it). Values larger than
/// ``Configuration/maximumMemoryValueSize`` stay in Redis only.
///
/// Coherence comes from Redis's server-assisted client-side caching on RESP2: a dedicated connection per server
/// (per master, on a cluster) runs `CLIENT TRACKING on REDIRECT <its id> BCAST PREFIX <key prefix>` and
/// `SUBSCRIBE __redis__:invalidate`, and each key it names is evicted. A key changed while a read of it is in
/// flight is not stored by that read; a connection that drops stops the memory tier until tracking is armed
/// again, which flushes it; while Redis is unreachable, memory answers only within
/// ``Configuration/outageServeLimit``. On a cluster, only what a master with an armed invalidation connection
/// answered is stored: a read that follows `ASK` to a master that serves no slot yet (a slot migrating to a new
/// master) is answered from Redis each time. The DocC article *Redis* explains the staleness window and each fault.
///
/// Spans are those of the Redis backend; `cache.get` spans also carry `cache.tier` (`memory` or `redis`).
public final class TwoTierBackend: CacheBackend {
    /// The configuration the backend was made with.
    public let configuration: Configuration
    /// The memory tier.
    public let memory: MemoryBackend

    let redis: RedisTier
    let sink: InvalidationSink
    let tracking: TrackingConnections
    private let metrics: TwoTierMetrics?
    /// ``Configuration/maximumStaleness`` in nanoseconds.
    private let stalenessBound: UInt64?

    /// Puts `memory` in front of a Redis server's `redis` backend and starts its invalidation connection. Until
    /// tracking is armed, reads go to Redis.
    /// - Throws: ``CacheLayer/CacheError/Code/invalidConfiguration`` for a bad configuration.
    public convenience init(
        memory: MemoryBackend, redis: RedisBackend, configuration: Configuration = .init()
    ) throws(CacheError) {
        try self.init(memory: memory, tier: .single(redis), configuration: configuration)
    }

    /// Puts `memory` in front of a Redis Cluster's `cluster` backend, with one invalidation connection per master
    /// (followed as the masters change).
    /// - Throws: ``CacheLayer/CacheError/Code/invalidConfiguration`` for a bad configuration.
    public convenience init(
        memory: MemoryBackend, cluster: RedisClusterBackend, configuration: Configuration = .init()
    ) throws(CacheError) {
        try self.init(memory: memory, tier: .cluster(cluster), configuration: configuration)
    }

    init(memory: MemoryBackend, tier: RedisTier, configuration: Configuration) throws(CacheError) {
        let configuration = try configuration.validated()
        self.configuration = configuration
        self.memory = memory
        self.redis = tier
        let metrics = TwoTierMetrics(
            factory: configuration.metricsFactory ?? MetricsSystem.factory, label: configuration.metricsLabel)
        self.metrics = metrics
        self.stalenessBound = configuration.maximumStaleness?.nanoseconds
        self.sink = InvalidationSink(
            memory: memory, namespaces: MemoryNamespaces(keyPrefix: tier.keyLayout.keyPrefix), metrics: metrics)
        self.tracking = TrackingConnections(tier: tier, sink: self.sink, configuration: configuration)
        self.tracking.start()
    }

    deinit {
        self.tracking.stop()
        self.sink.gate.stop()
    }

    /// Closes the invalidation connections and shuts the Redis backend down. Calls made afterwards go to Redis
    /// only, and fail with ``CacheLayer/CacheError/Code/backendUnavailable``.
    public func shutdown() {
        self.tracking.stop()
        self.sink.gate.stop()
        self.redis.shutdown()
    }

    /// Whether the memory tier answers reads now (every invalidation connection is armed).
    public var isTracking: Bool { self.sink.gate.isServing }

    /// The Redis backend's: `.client` spans with its attributes.
    public var telemetry: CacheBackendTelemetry { self.redis.backend.telemetry }

    /// The Redis backend's attributes for `key`, with `cache.tier` (`memory` or `redis`) after a read; a read that
    /// memory answered carries no server attributes.
    public func spanAttributes(forKey key: CacheKey?) -> SpanAttributes {
        let tier = AnsweringTier.take()
        guard tier != .memory else { return [Self.tierAttribute: "memory"] }
        var attributes = self.redis.backend.spanAttributes(forKey: key)
        if let name = tier.name {
            attributes[Self.tierAttribute] = name
        }
        return attributes
    }

    /// The span attribute naming the tier that answered a read.
    public static let tierAttribute = "cache.tier"

    // MARK: Reads

    /// Whether memory may answer a read now: every invalidation connection is armed and, under
    /// ``Configuration/maximumStaleness``, has confirmed recently enough.
    private var memoryMayAnswer: Bool {
        guard self.sink.gate.isServing else { return false }
        guard let bound = self.stalenessBound else { return true }
        return self.sink.gate.isConfirmed(within: bound, now: self.configuration.clock.now().nanoseconds)
    }

    /// A memory hit, without suspending; `nil` (ask ``get(_:)-(CacheKey)``) on a miss, while tracking is down, or
    /// while invalidations are not confirmed within ``Configuration/maximumStaleness``.
    public func getWithoutSuspending(_ key: CacheKey) -> [UInt8]?? {
        guard self.memoryMayAnswer, case .some(.some(let value)) = self.memory.getWithoutSuspending(key) else {
            return nil
        }
        self.metrics?.memoryHits.increment()
        AnsweringTier.record(.memory)
        return .some(value)
    }

    public nonisolated(nonsending) func get(_ key: CacheKey) async throws(CacheError) -> [UInt8]? {
        if let hit = self.getWithoutSuspending(key) { return hit }
        let ticket = self.fillTicket(for: key)
        let redisKey = self.redis.keyLayout.redisKey(key)
        let answer: (found: [ValuesWithExpiry.Found?], node: ClusterNodeAddress?)
        do {
            answer = try await self.redis.valuesWithExpiry(sharingSlot: [redisKey])
        } catch {
            if let value = self.outageAnswer(key, error) { return value }
            AnsweringTier.record(.redis)
            throw error
        }
        AnsweringTier.record(.redis)
        // A pending load's marker is a miss, and never goes into memory.
        guard let found = answer.found[0], !PendingLoadMarker.isMarker(found.value) else { return nil }
        self.metrics?.redisHits.increment()
        self.fill(key, with: found, from: answer.node, ticket: ticket)
        return found.value
    }

    /// A ticket for a read of `key` from Redis, its namespace noted so that a namespace flush reaches the fill.
    private func fillTicket(for key: CacheKey) -> CoherenceGate.Ticket? {
        let ticket = self.sink.gate.ticket(for: key)
        if ticket != nil {
            self.sink.namespaces.note(key.namespace)
        }
        return ticket
    }

    /// Stores what `node` answered for `key` in memory, for at most the local TTL and never past its expiry in
    /// Redis, unless nothing may be stored (no ticket), no armed invalidation connection covers `node` (a master
    /// reached through `ASK` that serves no slot yet: a later change there would never evict the entry), it is too
    /// large, or the key changed since `ticket`.
    private func fill(
        _ key: CacheKey, with found: ValuesWithExpiry.Found, from node: ClusterNodeAddress?,
        ticket: CoherenceGate.Ticket?
    ) {
        guard let ticket, self.tracking.covers(node), found.value.count <= self.configuration.maximumMemoryValueSize,
            MemoryBackend.cost(of: key, valueCount: found.value.count) <= self.memory.maximumEntryCost
        else { return }
        let ttl = found.timeLeft.map { min($0, self.configuration.localTTL) } ?? self.configuration.localTTL
        if ttl > .zero {
            self.sink.gate.fill(ticket) { try? self.memory.setImmediately(key, to: found.value, ttl: ttl) }
        }
    }

    /// While tracking is down and Redis fails: the memory entry, if every invalidation was confirmed within
    /// ``Configuration/outageServeLimit`` (and within ``Configuration/maximumStaleness``, when it is shorter).
    private func outageAnswer(_ key: CacheKey, _ error: CacheError) -> [UInt8]? {
        guard error.code == .backendUnavailable || error.code == .timeout, !self.sink.gate.isServing,
            self.configuration.outageServeLimit > .zero
        else { return nil }
        let limit = min(self.configuration.outageServeLimit.nanoseconds, self.stalenessBound ?? .max)
        let confirmed = self.tracking.listeners.map(\.lastConfirmed).min() ?? 0
        let now = self.configuration.clock.now().nanoseconds
        guard now &- confirmed < limit,
            case .some(.some(let value)) = self.memory.getWithoutSuspending(key)
        else { return nil }
        self.metrics?.memoryHits.increment()
        AnsweringTier.record(.memory)
        return value
    }

    /// Memory for each key, then one read from Redis for the rest (one per hash slot in a cluster), which fills
    /// memory as a single read does (each slot's answer only if its node is covered).
    public nonisolated(nonsending) func get(_ keys: [CacheKey]) async throws(CacheError) -> [[UInt8]?] {
        var values = [[UInt8]?](repeating: nil, count: keys.count)
        var missing: [Int] = []
        let serving = self.memoryMayAnswer
        for (index, key) in keys.enumerated() {
            if serving, case .some(.some(let value)) = self.memory.getWithoutSuspending(key) {
                values[index] = value
            } else {
                missing.append(index)
            }
        }
        self.metrics?.memoryHits.increment(by: keys.count - missing.count)
        guard !missing.isEmpty else {
            AnsweringTier.record(.memory)
            return values
        }
        let tickets = missing.map { self.fillTicket(for: keys[$0]) }
        let read = try await self.redis.valuesWithExpiry(missing.map { self.redis.keyLayout.redisKey(keys[$0]) })
        for (position, (index, ticket)) in zip(missing, tickets).enumerated() {
            // A pending load's marker is a miss, and never goes into memory.
            guard let entry = read.found[position], !PendingLoadMarker.isMarker(entry.value) else { continue }
            values[index] = entry.value
            self.metrics?.redisHits.increment()
            self.fill(keys[index], with: entry, from: read.nodes[position], ticket: ticket)
        }
        AnsweringTier.record(.redis)
        return values
    }

    // MARK: Writes

    /// Runs a write on Redis, with the key removed from memory before (so no read in flight stores what it read
    /// before the write) and after (so no read in flight meanwhile stores what it read before the write landed).
    nonisolated(nonsending) func write<Result>(
        _ key: CacheKey, _ body: () async throws(CacheError) -> Result
    ) async throws(CacheError) -> Result {
        self.evictLocally(key)
        defer {
            self.evictLocally(key)
            AnsweringTier.record(.none)
        }
        return try await body()
    }

    func evictLocally(_ key: CacheKey) {
        self.sink.gate.invalidate(key) { self.memory.deleteImmediately(key) }
    }

    public nonisolated(nonsending) func set(_ key: CacheKey, to value: [UInt8], ttl: Duration?) async throws(CacheError)
    {
        try await self.write(key) { () throws(CacheError) in
            try await self.redis.backend.set(key, to: value, ttl: ttl)
        }
    }

    public nonisolated(nonsending) func setIfAbsent(
        _ key: CacheKey, to value: [UInt8], ttl: Duration?
    ) async throws(CacheError) -> Bool {
        try await self.write(key) { () throws(CacheError) in
            try await self.redis.backend.setIfAbsent(key, to: value, ttl: ttl)
        }
    }

    public nonisolated(nonsending) func delete(_ key: CacheKey) async throws(CacheError) -> Bool {
        try await self.write(key) { () throws(CacheError) in try await self.redis.backend.delete(key) }
    }

    public nonisolated(nonsending) func delete(
        _ key: CacheKey, ifValueEquals expected: [UInt8]
    ) async throws(CacheError) -> Bool {
        try await self.write(key) { () throws(CacheError) in
            try await self.redis.backend.delete(key, ifValueEquals: expected)
        }
    }

    /// Redis first, then the namespace's entries in memory (and every fill in flight is refused), also when Redis
    /// failed part of the way: what it did remove must not stay readable here.
    public nonisolated(nonsending) func deleteAll(in namespace: CacheNamespace) async throws(CacheError) {
        defer {
            self.sink.gate.flush { self.memory.deleteAllImmediately(in: namespace) }
            self.metrics?.flushed(.namespaceFlush)
            AnsweringTier.record(.none)
        }
        try await self.redis.backend.deleteAll(in: namespace)
    }
}
