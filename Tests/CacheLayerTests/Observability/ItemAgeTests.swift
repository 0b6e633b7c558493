import InMemoryTracing
import Testing
import Tracing

@testable import CacheLayer
import CacheLayerTesting

/// `cache.item_age` (sentry-conventions): whole seconds since the entry was written, on the `cache.get` spans of reads
/// that returned it, whenever the entry records its write time.
@Suite("Item age")
struct ItemAgeTests {
    let clock = ManualCacheClock(start: .seconds(1_800_000_000))
    let tracer = InMemoryTracer()
    static let bytes = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })

    func makeCache(
        recordsItemAge: Bool = false, policy: LoadPolicy = LoadPolicy(), backend: MemoryBackend? = nil
    ) throws -> Cache {
        var configuration = Cache.Configuration(loadPolicy: policy, freshnessClock: self.clock, tracer: self.tracer)
        configuration.recordsItemAge = recordsItemAge
        let backend = try backend ?? MemoryBackend(configuration: .init(byteBudget: 1 << 20, clock: self.clock))
        return try Cache(namespace: "age", backend: backend, configuration: configuration)
    }

    /// The `cache.item_age` of the last `cache.get` span (a hit), `nil` when it has none.
    func lastGetAge() throws -> SpanAttribute? {
        let get = try #require(self.tracer.finishedSpans.last { $0.operationName == "cache.get" })
        #expect(get.attributes.get("cache.hit") == true)
        return get.attributes.get("cache.item_age")
    }

    @Test func aReadThroughThatTracksFreshnessReportsTheAgeOfFreshAndStaleHits() async throws {
        let cache = try self.makeCache(policy: LoadPolicy(gracePeriod: .seconds(60)))
        _ = try await cache.getOrLoad(key: "k", ttl: .seconds(10)) { 1 }
        self.clock.advance(by: .milliseconds(4_900))
        #expect(try await cache.getOrLoad(key: "k", ttl: .seconds(10)) { 2 } == 1)
        #expect(try self.lastGetAge() == 4)
        // Past its fresh period, within grace: served stale, and still aged from its write.
        self.clock.advance(by: .seconds(20))
        #expect(try await cache.getOrLoad(key: "k", ttl: .seconds(10)) { 2 } == 1)
        #expect(try self.lastGetAge() == 24)
        #expect(
            self.tracer.finishedSpans.last { $0.operationName == "cache.get" }?.attributes.get("cache.stale") == true)
    }

    @Test func plainWritesRecordTheirAgeOnlyWhenTheCacheIsAskedTo() async throws {
        let quiet = try self.makeCache()
        try await quiet.put("k", value: 1, ttl: .seconds(60))
        self.clock.advance(by: .seconds(3))
        #expect(try await quiet.get("k", as: Int.self) == 1)
        #expect(try self.lastGetAge() == nil)

        let aged = try self.makeCache(recordsItemAge: true)
        try await aged.put("k", value: 1, ttl: .seconds(60))
        try await aged.putBytes("raw", [0xCA, 0x02, 7], ttl: .seconds(60))
        self.clock.advance(by: .seconds(3))
        #expect(try await aged.get("k", as: Int.self) == 1)
        #expect(try self.lastGetAge() == 3)
        #expect(try await aged.getBytes("raw") == [0xCA, 0x02, 7])
        #expect(try self.lastGetAge() == 3)
        let read = try await aged.readThrough(key: "raw", ttl: .seconds(60), coding: Self.bytes) { [0] }
        #expect(read.value == [0xCA, 0x02, 7])
        #expect(try self.lastGetAge() == 3)
    }

    @Test func anEntryWrittenByAProcessWhoseClockRunsAheadIsZeroSecondsOld() async throws {
        let backend = try MemoryBackend(configuration: .init(byteBudget: 1 << 20, clock: self.clock))
        let cache = try self.makeCache(backend: backend)
        // Written as that process would, five seconds after this one's now.
        let ahead = StoredFrame(writtenAt: self.clock.now() + .seconds(5)).framing(Array("1".utf8))
        try await backend.set(try cache.makeKey("k"), to: ahead, ttl: nil)
        #expect(try await cache.get("k", as: Int.self) == 1)
        #expect(try self.lastGetAge() == 0)
    }

    @Test func aCodingThatRecordsItsOwnWriteTimeReportsIt() async throws {
        struct Stamped: Sendable { var body: [UInt8]; var writtenAt: Duration }
        let clock = self.clock
        let stamped = CacheValueCoding<Stamped>(
            encode: { Array("\($0.writtenAt.components.seconds)".utf8) + [0] + $0.body },
            decode: { bytes in
                let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
                let seconds = Int64(String(decoding: bytes[..<split], as: UTF8.self)) ?? 0
                return Stamped(body: Array(bytes[min(split + 1, bytes.endIndex)...]), writtenAt: .seconds(seconds))
            },
            writtenAt: { $0.writtenAt }
        )
        let cache = try self.makeCache()
        _ = try await cache.readThrough(key: "k", ttl: .seconds(120), coding: stamped) {
            Stamped(body: [1], writtenAt: clock.now())
        }
        self.clock.advance(by: .seconds(60))
        let read = try await cache.readThrough(key: "k", ttl: .seconds(120), coding: stamped) {
            Stamped(body: [2], writtenAt: clock.now())
        }
        #expect(read.source == .hit)
        #expect(try self.lastGetAge() == 60)
    }
}
