import Testing

@testable import CacheLayer
import CacheLayerTesting

/// A TTL is stored as asked, clamped to ``Cache/maximumTTL``, or refused with `invalid_ttl`: never a trap. Each test
/// here killed the test process ("Not enough bits to represent the passed value" in `Duration.components`) before
/// the TTL was clamped.
@Suite("Long TTLs")
struct LongTTLTests {
    /// The longest TTL `Duration.seconds` accepts, which callers use to mean "for as long as possible".
    static let longest = Duration.seconds(Int64.max)

    /// Draws the top of the range every time: the jitter lengthens the TTL as much as it can.
    struct HighestDraw: CacheRandom {
        func nextUnit() -> Double { 0.999 }
    }

    func makeCache(jitter: TTLJitter = .none, policy: LoadPolicy = LoadPolicy()) throws -> (Cache, MemoryBackend) {
        let backend = try MemoryBackend(byteBudget: 1 << 20)
        let cache = try Cache(
            namespace: "ttl",
            backend: backend,
            configuration: .init(ttlJitter: jitter, random: HighestDraw(), loadPolicy: policy)
        )
        return (cache, backend)
    }

    @Test func putBytesWithAProportionalJitterAndTheLongestTTL() async throws {
        let (cache, _) = try self.makeCache(jitter: .proportional(0.1))
        try await cache.putBytes("k", [1], ttl: Self.longest)
        #expect(try await cache.getBytes("k") == [1])
    }

    @Test func putBytesWithAnAddedJitterAndTheLongestTTL() async throws {
        let (cache, _) = try self.makeCache(jitter: .added(upTo: Self.longest))
        try await cache.putBytes("k", [1], ttl: Self.longest)
        #expect(try await cache.getBytes("k") == [1])
    }

    @Test func getOrLoadWithAGracePeriodAndTheLongestTTL() async throws {
        let (cache, _) = try self.makeCache(policy: LoadPolicy(gracePeriod: .seconds(30)))
        let first = try await cache.getOrLoad(key: "k", ttl: Self.longest) { 7 }
        let second = try await cache.getOrLoad(key: "k", ttl: Self.longest) { () async throws -> Int in
            Issue.record("the stored value was not read back")
            return 8
        }
        #expect([first, second] == [7, 7])
    }

    @Test func getOrLoadWithEarlyRefreshAndTheLongestTTL() async throws {
        let (cache, _) = try self.makeCache(policy: LoadPolicy(earlyRefresh: EarlyRefresh(beta: 1)))
        let first = try await cache.getOrLoad(key: "k", ttl: Self.longest) { 7 }
        let second = try await cache.getOrLoad(key: "k", ttl: Self.longest) { 8 }
        #expect([first, second] == [7, 7])
    }

    @Test func getOrLoadWithTheLongestTTLAndTheLongestGracePeriod() async throws {
        let (cache, _) = try self.makeCache(
            policy: LoadPolicy(gracePeriod: Self.longest, ttlJitter: .added(upTo: Self.longest)))
        #expect(try await cache.getOrLoad(key: "k", ttl: Self.longest) { 7 } == 7)
        #expect(try await cache.getOrLoad(key: "k", ttl: Self.longest) { 8 } == 7)
    }

    @Test func readThroughWithAGracePeriodAndTheLongestTTL() async throws {
        let (cache, _) = try self.makeCache(policy: LoadPolicy(gracePeriod: .seconds(30)))
        let coding = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })
        let first = try await cache.readThrough(key: "k", ttl: Self.longest, coding: coding) { [1, 2] }
        let second = try await cache.readThrough(key: "k", ttl: Self.longest, coding: coding) { [3] }
        #expect(first.value == [1, 2])
        #expect(second.value == [1, 2])
        #expect(second.source == .hit)
    }

    @Test func anEarlyRefreshWithAHugeBetaDoesNotTrap() async throws {
        let clock = ManualCacheClock(start: .seconds(1_000))
        let backend = try MemoryBackend(configuration: .init(byteBudget: 1 << 20, clock: clock))
        let cache = try Cache(
            namespace: "ttl",
            backend: backend,
            configuration: .init(
                random: SeededCacheRandom(seed: 3),
                loadPolicy: LoadPolicy(earlyRefresh: EarlyRefresh(beta: 1e300)),
                freshnessClock: clock
            )
        )
        let coding = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })
        _ = try await cache.readThrough(key: "k", ttl: .seconds(60), coding: coding) {
            // A load that takes a few milliseconds, so that early refresh has a load time to scale.
            try await Task.sleep(for: .milliseconds(3))
            return [1]
        }
        // beta * delta is far past any expiry: the read refreshes early, and nothing overflows on the way.
        let read = try await cache.readThrough(key: "k", ttl: .seconds(60), coding: coding) { [2] }
        #expect(read.value == [2])
        #expect(read.source == .loaded)
    }
}
