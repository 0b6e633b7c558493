import CacheLayer

/// Replays a trace against the real ``CacheLayer/MemoryBackend``, read-through: every cacheable request is a
/// `get`, and a miss is followed by a `set` of a value of the request's size (with its time-to-live).
///
/// Time is virtual: a `ReplayClock` moves forward by `1 / requestsPerSecond` per request, so
/// time-to-live results do not depend on how fast the machine is. The backend is used as a deployment would use
/// it (its default shard count and eviction policy unless told otherwise), except for object-count capacities, which
/// use one shard so that the eviction policy runs over the whole store at once.
public struct MemoryTierReplay: Sendable {
    /// The namespace every key is stored under.
    public var namespace: String
    /// Virtual request rate, which turns time-to-live seconds into requests.
    public var requestsPerSecond: Int
    /// The shard count to ask for (`nil`: the backend's own choice from the budget).
    public var shardCount: Int?
    /// The backend's eviction policy.
    public var evictionPolicy: MemoryBackend.EvictionPolicy

    /// Creates a replay.
    public init(
        namespace: String = "advisor",
        requestsPerSecond: Int = 1000,
        shardCount: Int? = nil,
        evictionPolicy: MemoryBackend.EvictionPolicy = .windowTinyLFU
    ) {
        self.namespace = namespace
        self.requestsPerSecond = requestsPerSecond
        self.shardCount = shardCount
        self.evictionPolicy = evictionPolicy
    }

    /// Replays `trace` against a new backend of `capacity`.
    /// - Throws: ``AdvisorError/Code/invalidArgument`` for a capacity the backend refuses (zero, negative).
    public func run(_ trace: RequestTrace, capacity: CacheCapacity) async throws(AdvisorError) -> ReplayCounts {
        guard self.requestsPerSecond > 0 else {
            throw AdvisorError(.invalidArgument, "the request rate must be positive, got \(self.requestsPerSecond)")
        }
        let clock = ReplayClock()
        let configuration: MemoryBackend.Configuration
        switch capacity {
        case .bytes(let budget):
            guard budget > 0 else {
                throw AdvisorError(.invalidArgument, "the memory budget must be positive, got \(budget)")
            }
            configuration = MemoryBackend.Configuration(
                byteBudget: budget, shardCount: self.shardCount, evictionPolicy: self.evictionPolicy, clock: clock)
        case .objects(let count):
            guard count > 0 else {
                throw AdvisorError(.invalidArgument, "the object capacity must be positive, got \(count)")
            }
            configuration = MemoryBackend.Configuration(
                byteBudget: 1 << 50, maximumEntries: count, shardCount: 1, evictionPolicy: self.evictionPolicy,
                clock: clock)
        }
        let backend: MemoryBackend
        let keys: [CacheKey]
        do {
            backend = try MemoryBackend(configuration: configuration)
            let namespace = try CacheNamespace(self.namespace)
            keys = trace.keys.map { CacheKey(namespace: namespace, key: $0) }
        } catch {
            throw AdvisorError(.invalidArgument, error.message)
        }
        var values = ValueBuffers()
        let step = Duration.seconds(1) / self.requestsPerSecond
        var hits = 0
        var errors = 0
        for (index, request) in trace.requests.enumerated() {
            // MemoryBackend never suspends: yield now and then so a long replay does not hold a pool thread.
            if index & 4095 == 4095 { await Task.yield() }
            clock.advance(by: step)
            guard request.isCacheable else { continue }
            let key = keys[Int(request.key)]
            do {
                if try await backend.get(key) != nil {
                    hits += 1
                } else {
                    let ttl = request.ttlMilliseconds > 0 ? Duration.milliseconds(request.ttlMilliseconds) : nil
                    try await backend.set(key, to: values.value(of: Int(request.size)), ttl: ttl)
                }
            } catch {
                errors += 1
            }
        }
        let statistics = backend.statistics
        return ReplayCounts(
            requests: trace.requests.count,
            hits: hits,
            bytesUsed: statistics.bytes,
            evictions: statistics.evictions,
            errors: errors
        )
    }
}
