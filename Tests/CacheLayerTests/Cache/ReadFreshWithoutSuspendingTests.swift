import InMemoryTracing
import Testing
import Tracing

@testable import CacheLayer
import CacheLayerTesting

/// The synchronous read an adapter uses to answer a hit without hopping to a task: it finds exactly the fresh hits
/// `readThrough` would answer at once, which the adapter decodes and records as `readThrough` records them, and for
/// anything else answers no bytes and records nothing, so that the `readThrough` that follows is the only record of
/// the request.
@Suite("Fresh reads without suspending")
struct ReadFreshWithoutSuspendingTests {
    let clock = ManualCacheClock(start: .seconds(1_800_000_000))
    let tracer = InMemoryTracer()
    static let bytes = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })

    func makeCache(_ backend: (any CacheBackend)? = nil) throws -> Cache {
        try Cache(
            namespace: "sync",
            backend: try backend ?? MemoryBackend(configuration: .init(byteBudget: 1 << 20, clock: self.clock)),
            configuration: .init(freshnessClock: self.clock, tracer: self.tracer)
        )
    }

    func attempt(_ cache: Cache, _ policy: LoadPolicy = LoadPolicy(), tags: [String] = []) -> FreshFrameAttempt {
        cache.readFreshFrameWithoutSuspending(key: "k", ttl: .seconds(60), policy: policy, tags: tags)
    }

    /// The value served at once, decoded and recorded as an adapter does; `nil` when the attempt found nothing fresh.
    func read(_ cache: Cache, _ policy: LoadPolicy = LoadPolicy()) -> [UInt8]? {
        guard case .fresh(let frame) = self.attempt(cache, policy) else { return nil }
        cache.recordFreshHit(frame, writtenAt: frame.writtenAt)
        return frame.value
    }

    @Test func aFreshHitIsAnsweredAndRecordedAsReadThroughRecordsIt() async throws {
        let cache = try self.makeCache()
        _ = try await cache.readThrough(key: "k", ttl: .seconds(60), coding: Self.bytes) { [1, 2, 3] }
        self.clock.advance(by: .seconds(2))
        _ = try await cache.readThrough(key: "k", ttl: .seconds(60), coding: Self.bytes) { [9] }
        self.tracer.clearFinishedSpans()
        // Through readThrough, then without suspending: the same value and the same span.
        _ = try await cache.readThrough(key: "k", ttl: .seconds(60), coding: Self.bytes) { [9] }
        #expect(self.read(cache) == [1, 2, 3])
        let gets = self.tracer.finishedSpans.filter { $0.operationName == "cache.get" }
        #expect(gets.count == 2)
        #expect(gets[0].attributes == gets[1].attributes)
        #expect(gets[1].attributes.get("cache.hit") == true)
    }

    @Test func missesStaleValuesAndEarlyRefreshAreLeftToReadThroughAndRecordNothing() async throws {
        let cache = try self.makeCache()
        #expect(self.read(cache) == nil)
        let grace = LoadPolicy(gracePeriod: .seconds(60))
        _ = try await cache.readThrough(key: "k", ttl: .seconds(10), policy: grace, coding: Self.bytes) { [1] }
        #expect(self.read(cache, grace) == [1])
        // Under early refresh the draw is readThrough's alone, even for a fresh value.
        #expect(self.read(cache, LoadPolicy(gracePeriod: .seconds(60), earlyRefresh: EarlyRefresh(beta: 1))) == nil)
        self.clock.advance(by: .seconds(11))
        #expect(self.read(cache, grace) == nil)
        let gets = self.tracer.finishedSpans.filter { $0.operationName == "cache.get" }
        // Only the first read-through's miss and the one fresh read above.
        #expect(gets.map { $0.attributes.get("cache.hit") } == [false, true])
    }

    /// What the attempt read and did not serve goes on to the read-through, which does not read the backend again:
    /// the memory backend counts one read per request.
    @Test func whatWasReadAndNotServedIsHandedOnAndNotReadTwice() async throws {
        let memory = try MemoryBackend(configuration: .init(byteBudget: 1 << 20, clock: self.clock))
        let cache = try self.makeCache(memory)
        guard case .read(let miss) = self.attempt(cache) else {
            Issue.record("a miss should be handed on")
            return
        }
        #expect(miss.bytes == nil)
        let loaded = try await cache.readThrough(
            key: "k", ttl: .seconds(60), policy: nil, tags: [], coding: Self.bytes, prefetched: miss
        ) { LoadResult([4]) }
        #expect(loaded.source == .loaded)
        #expect(memory.statistics.misses == 1)
        #expect(memory.statistics.hits == 0)
        // A value within grace: read once, handed on; the read-through's only caller claims the refresh and gets it.
        let grace = LoadPolicy(gracePeriod: .seconds(60))
        _ = try await cache.readThrough(key: "g", ttl: .seconds(10), policy: grace, coding: Self.bytes) { [5] }
        self.clock.advance(by: .seconds(11))
        let before = memory.statistics.hits
        let attempt = cache.readFreshFrameWithoutSuspending(key: "g", ttl: .seconds(10), policy: grace, tags: [])
        guard case .read(let stale) = attempt else {
            Issue.record("a stale value should be handed on")
            return
        }
        let served = try await cache.readThrough(
            key: "g", ttl: .seconds(10), policy: grace, tags: [], coding: Self.bytes, prefetched: stale
        ) { LoadResult([6]) }
        #expect(served.source == .loaded && served.value == [6])
        #expect(memory.statistics.hits == before + 1)
    }

    @Test func badTagsReadNothingSoThatTheReadThroughRefusesThem() async throws {
        let cache = try self.makeCache()
        _ = try await cache.readThrough(key: "k", ttl: .seconds(60), coding: Self.bytes) { [1] }
        guard case .notRead = self.attempt(cache, tags: [String(repeating: "t", count: 10_000)]) else {
            Issue.record("a tag the read-through refuses should not be served around")
            return
        }
    }

    @Test func aBackendThatMustBeAskedAsynchronouslyOrFailedRemovalsWaitingForReplayAreLeftToReadThrough()
        async throws
    {
        let backend = try ControllableBackend()
        let cache = try self.makeCache(backend)
        _ = try await cache.readThrough(key: "k", ttl: .seconds(60), coding: Self.bytes) { [1] }
        #expect(self.read(cache) == [1])
        backend.stall([.get])
        #expect(self.read(cache) == nil)
        backend.resume()
        // A removal that fails is kept for replay: until it is replayed, nothing is read from the backend.
        backend.fail([.delete], with: CacheError(.backendUnavailable, "down"))
        try await cache.remove("k")
        #expect(self.read(cache) == nil)
    }
}
