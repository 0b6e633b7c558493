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
            // Let every caller reach the flight before the load completes.
            try await Task.sleep(for: .milliseconds(200))
            gate.open()
            return try await group.reduce(into: [Product]()) { $0.append($1) }
        }
        #expect(loads.count == 1)
        #expect(values.count == 1_000 && values.allSatisfy { $0 == Product(id: 1, name: "Loaded once") })
        #expect(try await cache.get("cold", as: Product.self) == Product(id: 1, name: "Loaded once"))
        let started = try metrics.expectCounter("cache.loads", [("cache", "flight")]).totalValue
        let coalesced = try metrics.expectCounter("cache.coalesced_loads", [("cache", "flight")]).totalValue
        // Callers that reached the cache after the store hit it instead of waiting; none loaded again.
        #expect(started == 1 && coalesced > 0)
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
            try? await Task.sleep(for: .milliseconds(100))
            gate.open()
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
        // The first caller starts the load, then is cancelled.
        let first = Task { try await cache.getOrLoad(key: "k", ttl: nil, loader: load) }
        try await Task.sleep(for: .milliseconds(50))
        let others = (0..<10).map { _ in Task { try await cache.getOrLoad(key: "k", ttl: nil, loader: load) } }
        try await Task.sleep(for: .milliseconds(50))
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
            try? await Task.sleep(for: .milliseconds(100))
            gate.open()
        }
        #expect(loads.count == 5)
    }
}
