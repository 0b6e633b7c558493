import CacheLayerTestSupport
import Testing

@testable import CacheLayer

/// A caller that joins a load after an invalidation of the load's key or tags must not get the load's value: it
/// may have been read before the write the invalidation followed (the order-items example's stale-read check found
/// such a response: a `MISS` older than the write its client had completed). A load whose store lost to a removal
/// is not shared: each waiting caller loads for itself. The order is forced by waiting until the caller has joined.
@Suite("A load that lost to an invalidation is not shared")
struct JoinAfterInvalidationTests {
    func waiters(_ count: Int, on key: String, in cache: Cache) async -> Bool {
        let cacheKey = CacheKey(namespace: cache.namespace, key: key)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let flight = cache.core.flights.flight(for: cacheKey), flight.waitersJoined >= count { return true }
            await Task.yield()
        }
        return false
    }

    @Test(arguments: [false, true])
    func aCallerThatJoinedAfterTheInvalidationLoadsItself(inline: Bool) async throws {
        let cache = try Cache(namespace: "joins", backend: try MemoryBackend(byteBudget: 1 << 20))
        let bytes = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })
        let started = Gate()
        let release = Gate()
        let leader = Task {
            try await cache.getOrLoad(key: "page", ttl: .seconds(60), tags: ["orders"]) { () async throws -> [UInt8] in
                started.open()
                await release.wait()
                return [1]  // read before the write
            }
        }
        await started.wait()
        try await cache.invalidate(tags: ["orders"])  // the write's invalidation, completed
        let follower = Task {
            if inline {
                return try await cache.readThrough(key: "page", ttl: .seconds(60), tags: ["orders"], coding: bytes) {
                    [2]
                }.value
            }
            return try await cache.getOrLoad(key: "page", ttl: .seconds(60), tags: ["orders"]) { [2] as [UInt8] }
        }
        #expect(await self.waiters(1, on: "page", in: cache))
        release.open()
        #expect(try await leader.value == [1])
        #expect(try await follower.value == [2])
    }
}
