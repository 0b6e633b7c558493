import CoreMetrics
import Synchronization
import Tracing

/// An in-process cache backend: a byte-bounded store with per-entry time-to-live that evicts by W-TinyLFU, a
/// frequency-aware policy, or by S3-FIFO or second chance (CLOCK) if configured so (``Configuration/evictionPolicy``).
///
/// The store is split into shards, each behind its own lock, so concurrent callers rarely wait for each other and no
/// call hops to an actor. Reads of a shard run side by side without writing memory another core reads (see
/// `MemoryShard`); writes take the shard to themselves. The budget holds after every operation: each shard keeps within
/// `byteBudget / shardCount` bytes (and its share of ``Configuration/maximumEntries``), evicting to make room.
///
/// A read never moves its entry: it only raises a small per-entry counter, and writes nothing once the counter is at
/// its cap, so reads of popular entries on several cores do not write shared memory. Under W-TinyLFU new keys enter a
/// small window and reach the main queue only if requested more often than what they would evict there, so keys
/// requested once (a scan) do not push out the ones requested often (see ``EvictionPolicy``). Every operation is O(1) amortised; expiry is exact (an expired entry is
/// never returned).
///
/// ```swift
/// let memory = try MemoryBackend(byteBudget: 64 * 1024 * 1024)
/// let cache = try Cache(namespace: "users", backend: memory)
/// ```
public final class MemoryBackend: CacheBackend, @unchecked Sendable {
    // @unchecked Sendable: `shards` and `stripes` are written only in init and deinit; in between, a shard's store is
    // only reached through its MemoryShard lock (shared reads, or exclusive access), and stripes hold only atomics.

    /// The configuration the backend was made with.
    public let configuration: Configuration
    /// The largest cost (key, value and ``Configuration/entryOverhead``) one entry may have: a shard's budget.
    public let maximumEntryCost: Int
    /// How many shards the store is split into.
    public let shardCount: Int

    /// The shards, each on cache lines of its own (`shardStride` bytes apart) so that two cores working on two
    /// shards never write to the same line, and held without reference counting on the hot path.
    private let shards: UnsafeMutableRawPointer
    private static let shardStride = (MemoryLayout<MemoryShard>.size + 127) / 128 * 128
    /// The shards' read stripes: `MemoryShard.stripeCount` per shard, shard after shard, `ReadStripe.stride` apart.
    private let stripes: UnsafeMutableRawPointer
    private let shardShift: Int
    /// Where entries' deadlines and the current time come from.
    let clock: any CacheClock
    let metrics: MemoryBackendMetrics?
    /// Tags and guarded loads, beside the store (MemoryBackend+Tagging.swift).
    let tagIndex = MemoryTagIndex()

    /// In-process: spans are `.internal` and carry no backend attributes.
    public let telemetry = CacheBackendTelemetry(spanKind: .internal)

    /// Creates an in-memory backend.
    /// - Throws: ``CacheError/Code/invalidConfiguration`` when the budget, entry limit or shard count is not positive.
    public init(configuration: Configuration) throws(CacheError) {
        guard configuration.byteBudget > 0 else {
            throw CacheError(.invalidConfiguration, "byteBudget must be positive, got \(configuration.byteBudget)")
        }
        if let maximumEntries = configuration.maximumEntries, maximumEntries <= 0 {
            throw CacheError(.invalidConfiguration, "maximumEntries must be positive, got \(maximumEntries)")
        }
        if let shardCount = configuration.shardCount, shardCount <= 0 {
            throw CacheError(.invalidConfiguration, "shardCount must be positive, got \(shardCount)")
        }
        let shardCount = Self.shardCount(for: configuration)
        let entryLimit = configuration.maximumEntries.map { $0 / shardCount } ?? Int.max
        self.configuration = configuration
        self.maximumEntryCost = configuration.byteBudget / shardCount
        self.shardCount = shardCount
        self.shards = UnsafeMutableRawPointer.allocate(byteCount: Self.shardStride * shardCount, alignment: 128)
        for index in 0..<shardCount {
            (self.shards + index * Self.shardStride).bindMemory(to: MemoryShard.self, capacity: 1)
                .initialize(
                    to: MemoryShard(
                        store: ShardStore(
                            byteBudget: configuration.byteBudget / shardCount, entryLimit: entryLimit,
                            policy: configuration.evictionPolicy)))
        }
        let stripeTotal = shardCount * MemoryShard.stripeCount
        self.stripes = UnsafeMutableRawPointer.allocate(byteCount: ReadStripe.stride * stripeTotal, alignment: 128)
        for index in 0..<stripeTotal {
            (self.stripes + index * ReadStripe.stride).bindMemory(to: ReadStripe.self, capacity: 1).initialize(
                to: ReadStripe())
        }
        self.shardShift = Int.bitWidth - shardCount.trailingZeroBitCount
        self.clock = configuration.clock
        self.metrics = MemoryBackendMetrics(
            factory: configuration.metricsFactory ?? MetricsSystem.factory,
            label: configuration.metricsLabel
        )
    }

    deinit {
        for index in 0..<self.shardCount {
            self.shard(index).deinitialize(count: 1)
        }
        self.shards.deallocate()
        for index in 0..<self.shardCount * MemoryShard.stripeCount {
            (self.stripes + index * ReadStripe.stride).assumingMemoryBound(to: ReadStripe.self).deinitialize(count: 1)
        }
        self.stripes.deallocate()
    }

    /// Creates an in-memory backend holding at most `byteBudget` bytes.
    public convenience init(byteBudget: Int, maximumEntries: Int? = nil) throws(CacheError) {
        try self.init(configuration: Configuration(byteBudget: byteBudget, maximumEntries: maximumEntries))
    }

    /// The shard count actually used: a power of two, at most what was asked for, no more shards than entries
    /// allowed, and by default at least 1 MiB of budget per shard.
    static func shardCount(for configuration: Configuration) -> Int {
        let minimumShardBudget = 1 << 20
        var count = configuration.shardCount ?? min(16, max(1, configuration.byteBudget / minimumShardBudget))
        count = min(count, configuration.maximumEntries ?? count, configuration.byteBudget)
        // Round down to a power of two so a mask picks the shard.
        return 1 << (Int.bitWidth - 1 - max(count, 1).leadingZeroBitCount)
    }

    /// The cost a key/value pair is counted at against the budget.
    public static func cost(of key: CacheKey, valueCount: Int) -> Int {
        key.namespace.name.utf8.count + key.key.utf8.count + valueCount + Configuration.entryOverhead
    }

    func shard(_ index: Int) -> UnsafeMutablePointer<MemoryShard> {
        (self.shards + index * Self.shardStride).assumingMemoryBound(to: MemoryShard.self)
    }

    /// The first of the read stripes of shard `index`.
    func stripes(ofShard index: Int) -> UnsafeMutableRawPointer {
        self.stripes + index * MemoryShard.stripeCount * ReadStripe.stride
    }

    /// Runs `body` with shard `index`'s store to itself.
    @inline(__always)
    func withExclusiveAccess<Result: Sendable, Failure: Error>(
        toShard index: Int,
        _ body: (inout ShardStore) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try MemoryShard.withExclusiveAccess(self.shard(index), stripes: self.stripes(ofShard: index), body)
    }

    /// The shard of the key whose `hashValue` is `hash`: the hash's high bits (the shard's own index uses the low bits).
    func shardIndex(for hash: Int) -> Int {
        self.shardCount == 1 ? 0 : Int(UInt(bitPattern: hash) >> UInt(self.shardShift))
    }

    /// Runs `body` on the shard that owns the key whose `hashValue` is `hash`, with its store to itself, reporting what
    /// it changed to the metrics.
    @inline(__always)
    func withShard<Result: Sendable, Failure: Error>(
        for hash: Int,
        _ body: (inout ShardStore) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let index = self.shardIndex(for: hash)
        guard let metrics = self.metrics else {
            return try self.withExclusiveAccess(toShard: index) { (store) throws(Failure) -> Result in try body(&store)
            }
        }
        let (result, before, after) = try self.withExclusiveAccess(toShard: index) { (store) throws(Failure) in
            let before = store.counters
            let result = try body(&store)
            return (result, before, store.counters)
        }
        metrics.record(from: before, to: after)
        return result
    }

    /// The deadline of an entry written now with `ttl` (0 for none), and the time it was computed from: the clock is
    /// read only for an entry with a deadline, so a write without one reads it only if room must be made.
    func deadlineAndTime(for ttl: Duration?) -> (expiresAt: UInt64, now: UInt64?) {
        guard ttl != nil else { return (0, nil) }
        let now = self.clock.nanosecondsNow()
        return (self.deadline(for: ttl, now: now), now)
    }

    func deadline(for ttl: Duration?, now: UInt64) -> UInt64 {
        guard let ttl else { return 0 }
        let (deadline, overflow) = now.addingReportingOverflow(max(ttl.clampedNanoseconds, 1))
        return overflow ? .max : deadline
    }

    // MARK: CacheBackend

    @inlinable
    public nonisolated(nonsending) func get(_ key: CacheKey) async throws(CacheError) -> [UInt8]? {
        // Inlined into the caller: the read never suspends, so no async frame is made for it.
        self.getWithoutSuspending(key) ?? nil
    }

    /// ``get(_:)-(CacheKey)`` without the asynchronous call: the memory backend never suspends, so the ``Cache``
    /// facade reads it through this synchronous path and saves an async frame per read.
    public func getWithoutSuspending(_ key: CacheKey) -> [UInt8]?? {
        .some(self.getNow(key))
    }

    func getNow(_ key: CacheKey) -> [UInt8]? {
        let hash = key.hashValue
        let index = self.shardIndex(for: hash)
        let stripe =
            (self.stripes(ofShard: index) + (ReaderNumber.current & (MemoryShard.stripeCount - 1)) * ReadStripe.stride)
            .assumingMemoryBound(to: ReadStripe.self)
        // The clock is read through `self` (only for entries with a deadline) rather than copied out first: copying
        // the existential costs a witness call and a destroy on every read.
        if let found = MemoryShard.readShared(
            self.shard(index), stripe: stripe, key, hash: hash, now: { self.clock.nanosecondsNow() })
        {
            return found
        }
        // A writer was busy, or the entry has expired and must be removed.
        return self.withShard(for: hash) { store in store.get(key, hash: hash, now: { self.clock.nanosecondsNow() }) }
    }

    public nonisolated(nonsending) func get(_ keys: [CacheKey]) async throws(CacheError) -> [[UInt8]?] {
        var values: [[UInt8]?] = []
        values.reserveCapacity(keys.count)
        for key in keys {
            values.append(try await self.get(key))
        }
        return values
    }

    @inlinable
    public nonisolated(nonsending) func set(_ key: CacheKey, to value: [UInt8], ttl: Duration?) async throws(CacheError)
    {
        // Inlined into the caller: the write never suspends, so no async frame is made for it.
        try self.setWithoutSuspending(key, to: value, ttl: ttl)
    }

    /// ``set(_:to:ttl:)`` as a plain call.
    @usableFromInline
    func setWithoutSuspending(_ key: CacheKey, to value: [UInt8], ttl: Duration?) throws(CacheError) {
        guard self.tagIndex.hasPendingLoads else { return try self.setImmediately(key, to: value, ttl: ttl) }
        // Under the tag index's lock: a load of the key in flight is cancelled, so it cannot store over this write.
        try self.tagIndex.withLock { (state) throws(CacheError) in
            state.cancelLoads(of: key)
            try self.setImmediately(key, to: value, ttl: ttl)
        }
    }

    public nonisolated(nonsending) func setIfAbsent(
        _ key: CacheKey, to value: [UInt8], ttl: Duration?
    ) async throws(CacheError) -> Bool {
        let hash = key.hashValue
        let cost = Self.cost(of: key, valueCount: value.count)
        let (expiresAt, now) = self.deadlineAndTime(for: ttl)
        let write = { () throws(CacheError) -> Bool in
            try self.withShard(for: hash) { (store) throws(CacheError) in
                try store.setIfAbsent(
                    key, hash: hash, value: value, cost: cost, expiresAt: expiresAt,
                    now: { now ?? self.clock.nanosecondsNow() })
            }
        }
        guard self.tagIndex.hasPendingLoads else { return try write() }
        // As in `set`: a load in flight cannot store over what this wrote.
        return try self.tagIndex.withLock { (state) throws(CacheError) -> Bool in
            let wrote = try write()
            if wrote {
                state.cancelLoads(of: key)
            }
            return wrote
        }
    }

    public nonisolated(nonsending) func delete(_ key: CacheKey) async throws(CacheError) -> Bool {
        // Under the tag index's lock: a load of the key in flight is cancelled, and cannot store in between.
        self.tagIndex.withLock { state in
            state.cancelLoads(of: key)
            return self.deleteNow(key)
        }
    }

    /// Removes `key` from its shard. Returns whether a live value was removed.
    func deleteNow(_ key: CacheKey) -> Bool {
        let hash = key.hashValue
        let clock = self.clock
        return self.withShard(for: hash) { store in store.delete(key, hash: hash, now: { clock.nanosecondsNow() }) }
    }

    public nonisolated(nonsending) func delete(
        _ key: CacheKey, ifValueEquals expected: [UInt8]
    ) async throws(CacheError) -> Bool {
        let hash = key.hashValue
        let clock = self.clock
        return self.withShard(for: hash) { store in
            store.delete(key, hash: hash, ifValueEquals: expected, now: { clock.nanosecondsNow() })
        }
    }

    public nonisolated(nonsending) func deleteAll(in namespace: CacheNamespace) async throws(CacheError) {
        // Under the tag index's lock: the namespace's loads in flight are cancelled, its tags forgotten.
        self.tagIndex.withLock { state in
            state.forget(namespace)
            self.deleteAllImmediately(in: namespace)
        }
    }
}
