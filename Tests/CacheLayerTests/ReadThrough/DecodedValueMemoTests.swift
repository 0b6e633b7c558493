import CacheLayerTesting
import Synchronization
import Testing

@_spi(CacheLayerInternals) @testable import CacheLayer

/// A read-through whose coding keeps its decoded values decodes bytes the in-memory backend hands out again only
/// once, and never serves a memoised value for other bytes.
@Suite("Decoded value memo")
struct DecodedValueMemoTests {
    /// A coding of byte arrays that counts its decodes.
    final class CountingCoding: Sendable {
        let decodes = Atomic<Int>(0)

        var coding: CacheValueCoding<[UInt8]> {
            CacheValueCoding(
                encode: { $0 },
                decode: { bytes in
                    self.decodes.add(1, ordering: .relaxed)
                    return bytes
                })
        }
        var count: Int { self.decodes.load(ordering: .relaxed) }
    }

    static func value(_ seed: UInt8, count: Int = 2_000) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0) &+ seed }
    }

    func makeCache() throws -> Cache {
        try Cache(namespace: "memo", backend: try MemoryBackend(byteBudget: 8 << 20))
    }

    @Test(arguments: [LoadPolicy(), LoadPolicy(gracePeriod: .seconds(30))])
    func hitsOfTheSameStoredBytesDecodeOnce(policy: LoadPolicy) async throws {
        let cache = try self.makeCache()
        let counting = CountingCoding()
        let coding = counting.coding.memoizing(in: DecodedValueMemo())
        for _ in 0..<5 {
            let read = try await cache.readThrough(key: "k", ttl: .seconds(60), policy: policy, coding: coding) {
                Self.value(1)
            }
            #expect(read.value == Self.value(1))
        }
        #expect(counting.count == 1)
    }

    @Test func newBytesUnderTheKeyAreDecodedEvenWithTheSameContents() async throws {
        let cache = try self.makeCache()
        let counting = CountingCoding()
        let coding = counting.coding.memoizing(in: DecodedValueMemo())
        try await cache.putBytes("k", Self.value(1), ttl: .seconds(60))
        _ = try await cache.readThrough(key: "k", ttl: .seconds(60), coding: coding) { [] }
        try await cache.putBytes("k", Self.value(2), ttl: .seconds(60))
        let second = try await cache.readThrough(key: "k", ttl: .seconds(60), coding: coding) { [] }
        #expect(second.value == Self.value(2))
        try await cache.putBytes("k", Self.value(2), ttl: .seconds(60))
        _ = try await cache.readThrough(key: "k", ttl: .seconds(60), coding: coding) { [] }
        #expect(counting.count == 3)
    }

    /// Bytes a backend had to be asked for asynchronously (Redis: new storage on every read) are decoded and not
    /// remembered: they would only take a slot and pin memory.
    @Test func bytesReadAsynchronouslyAreNotRemembered() async throws {
        let backend = try ControllableBackend()
        let cache = try Cache(namespace: "memo", backend: backend)
        let counting = CountingCoding()
        let coding = counting.coding.memoizing(in: DecodedValueMemo())
        try await cache.putBytes("k", Self.value(1), ttl: .seconds(60))
        backend.stall([.get])
        let read = Task {
            try await cache.readThrough(key: "k", ttl: .seconds(60), coding: coding) { [] }.value
        }
        for _ in 0..<2_000 where backend.stalledCallCount == 0 { try await Task.sleep(for: .milliseconds(1)) }
        #expect(backend.stalledCallCount == 1)
        backend.resume()
        #expect(try await read.value == Self.value(1))
        // Read again without suspending: decoded again (nothing was remembered), then remembered.
        for _ in 0..<2 { _ = try await cache.readThrough(key: "k", ttl: .seconds(60), coding: coding) { [] } }
        #expect(counting.count == 2)
    }

    @Test func bytesOutsideTheSizeRangeAreNotKept() async throws {
        let cache = try self.makeCache()
        let counting = CountingCoding()
        let coding = counting.coding.memoizing(in: DecodedValueMemo(slotCount: 4, sizes: 100...1_000))
        for count in [10, 5_000] {
            try await cache.putBytes("k\(count)", Self.value(3, count: count), ttl: .seconds(60))
            for _ in 0..<3 {
                _ = try await cache.readThrough(key: "k\(count)", ttl: .seconds(60), coding: coding) { [] }
            }
        }
        #expect(counting.count == 6)
    }

    /// Against a reference model (the last bytes written under each key, decoded every time): random writes,
    /// removals and reads of a few keys through a memo of few slots, so that slots are shared and replaced.
    @Test(arguments: [1, 2, 3])
    func aMemoisedReadAlwaysReturnsWhatTheKeyHolds(seed: UInt64) async throws {
        let cache = try self.makeCache()
        let coding = CountingCoding().coding.memoizing(in: DecodedValueMemo(slotCount: 2, sizes: 1...4_096))
        var model: [String: [UInt8]] = [:]
        let random = SeededCacheRandom(seed: seed)
        for step in 0..<2_000 {
            let key = "k\(Int(random.nextUnit() * 4))"
            switch Int(random.nextUnit() * 10) {
            case 0..<3:
                let value = Self.value(UInt8(truncatingIfNeeded: step), count: 1 + Int(random.nextUnit() * 3_000))
                try await cache.putBytes(key, value, ttl: .seconds(60))
                model[key] = value
            case 3:
                try await cache.remove(key)
                model[key] = nil
            default:
                let read = try await cache.readThrough(key: key, ttl: .seconds(60), coding: coding) { [7] }
                #expect(read.value == (model[key] ?? [7]), "step \(step), key \(key)")
                if model[key] == nil { model[key] = [7] }
            }
        }
    }
}
