import CacheLayerTestSupport
import MetricsTestKit
import Synchronization
import Testing

@testable import CacheLayer

@Suite("Single-flight getOrLoad")
struct SingleFlightTests {
    func makeCache(_ configuration: Cache.Configuration = .init()) throws -> Cache {
        try Cache(namespace: "flight", backend: try MemoryBackend(byteBudget: 8 << 20), configuration: configuration)
    }

    /// Waits until `count` callers wait on the flight of `key` (bounded, so that a broken build fails rather than
    /// hangs). The order of callers is forced this way, never by sleeping.
    func waiters(_ count: Int, on key: String, in cache: Cache) async -> Bool {
        let cacheKey = CacheKey(namespace: cache.namespace, key: key)
        return await waitUntil { (cache.core.flights.flight(for: cacheKey)?.waitersJoined ?? 0) >= count }
    }

    @Test func aThousandConcurrentMissesRunTheLoaderOnce() async throws {
        let metrics = TestMetrics()
        let cache = try self.makeCache(.init(metricsFactory: metrics))
        let loads = LoadCounter()
        let gate = Gate()
        let values = try await withThrowingTaskGroup(of: Product.self) { group in
            for _ in 0..<1_000 {
                group.addTask {
                    try await cache.getOrLoad(key: "cold", ttl: .seconds(60)) {
                        loads.increment()
                        await gate.wait()
                        return Product(id: 1, name: "Loaded once")
                    }
                }
            }
            // Every caller but the leader waits on the flight before the load completes.
            let joined = await self.waiters(999, on: "cold", in: cache)
            gate.open()
            #expect(joined, "the other 999 callers did not all join the leader's flight")
            return try await group.reduce(into: [Product]()) { $0.append($1) }
        }
        #expect(loads.count == 1)
        #expect(values.count == 1_000 && values.allSatisfy { $0 == Product(id: 1, name: "Loaded once") })
        #expect(try await cache.get("cold", as: Product.self) == Product(id: 1, name: "Loaded once"))
        let started = try metrics.expectCounter("cache.loads", [("cache", "flight")]).totalValue
        let coalesced = try metrics.expectCounter("cache.coalesced_loads", [("cache", "flight")]).totalValue
        // Every other caller waited for the one load and got its value.
        #expect(started == 1 && coalesced == 999)
    }

    @Test func everyWaiterGetsTheSameErrorAndNothingIsStored() async throws {
        struct DatabaseDown: Error, Equatable { let attempt: Int }
        let cache = try self.makeCache()
        let loads = LoadCounter()
        let gate = Gate()
        let errors = await withTaskGroup(of: DatabaseDown?.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    do {
                        _ = try await cache.getOrLoad(key: "broken", ttl: nil, as: Product.self) {
                            loads.increment()
                            await gate.wait()
                            throw DatabaseDown(attempt: loads.count)
                        }
                        return nil
                    } catch {
                        return error as? DatabaseDown
                    }
                }
            }
            // All 49 others wait on the failing flight: none can come late and start a second load.
            let joined = await self.waiters(49, on: "broken", in: cache)
            gate.open()
            #expect(joined, "the other 49 callers did not all join the leader's flight")
            return await group.reduce(into: [DatabaseDown?]()) { $0.append($1) }
        }
        #expect(loads.count == 1)
        #expect(errors.allSatisfy { $0 == DatabaseDown(attempt: 1) })
        #expect(try await cache.getBytes("broken") == nil)
        // The failed flight is over: the next miss loads again.
        _ = try await cache.getOrLoad(key: "broken", ttl: nil) { Product(id: 2, name: "Recovered") }
        #expect(try await cache.get("broken", as: Product.self)?.name == "Recovered")
    }

    @Test func aCancelledWaiterDoesNotCancelTheLoadForTheOthers() async throws {
        let cache = try self.makeCache()
        let loads = LoadCounter()
        let gate = Gate()
        let load: @Sendable () async throws -> Product = {
            loads.increment()
            await gate.wait()
            try Task.checkCancellation()  // would throw if the load inherited a cancellation
            return Product(id: 3, name: "Survived")
        }
        // The first caller starts the load, the others join it, then the first is cancelled.
        let first = Task { try await cache.getOrLoad(key: "k", ttl: nil, loader: load) }
        #expect(await waitUntil { loads.count == 1 }, "the first caller did not start the load")
        let others = (0..<10).map { _ in Task { try await cache.getOrLoad(key: "k", ttl: nil, loader: load) } }
        #expect(await self.waiters(10, on: "k", in: cache), "the other callers did not join the first one's load")
        first.cancel()
        await #expect(throws: CancellationError.self) { try await first.value }
        gate.open()
        for other in others {
            #expect(try await other.value == Product(id: 3, name: "Survived"))
        }
        #expect(loads.count == 1)
        #expect(try await cache.get("k", as: Product.self)?.name == "Survived")
    }

    @Test func withoutCoalescingEveryMissLoads() async throws {
        let cache = try self.makeCache(.init(coalescesLoads: false))
        let loads = LoadCounter()
        let gate = Gate()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<5 {
                group.addTask {
                    _ = try? await cache.getOrLoad(key: "k", ttl: nil) {
                        loads.increment()
                        await gate.wait()
                        return Product(id: 4, name: "Each")
                    }
                }
            }
            // Every miss is loading at once (none can come late and hit the first one's value).
            #expect(await waitUntil { loads.count == 5 }, "not every miss ran the loader")
            gate.open()
        }
        #expect(loads.count == 5)
    }
}
