import Testing

@testable import CacheLayer
import CacheLayerTesting

/// With `failOpen`, removals and invalidations that fail because the backend is down are kept and replayed before
/// the cache reads from the backend again.
@Suite("Failed invalidations are replayed")
struct FailedInvalidationReplayTests {
    let down = CacheError(.backendUnavailable, "down")

    func makeCache(_ backend: ControllableBackend, limit: Int = 10_000) throws -> Cache {
        var configuration = Cache.Configuration()
        configuration.failedInvalidationLimit = limit
        return try Cache(namespace: "orders", backend: backend, configuration: configuration)
    }

    @Test func aFailedInvalidationIsReplayedBeforeTheNextRead() async throws {
        let backend = try ControllableBackend()
        let cache = try self.makeCache(backend)
        try await cache.put("k", value: "old", tags: ["orders"])

        backend.fail([.invalidate, .delete], with: self.down)
        try await cache.invalidate(tags: ["orders"])  // fails open
        try await cache.remove("other")

        // The backend still holds the old value, and answers reads: the cache does not read it.
        #expect(try await backend.memory.get(CacheKey(namespace: cache.namespace, key: "k")) != nil)
        #expect(try await cache.get("k", as: String.self) == nil)
        // Nor does it write while the replay cannot run.
        try await cache.put("new", value: "v")
        #expect(try await backend.memory.get(CacheKey(namespace: cache.namespace, key: "new")) == nil)

        backend.recover()
        #expect(try await cache.get("k", as: String.self) == nil)
        #expect(try await backend.memory.get(CacheKey(namespace: cache.namespace, key: "k")) == nil)
        try await cache.put("new", value: "v")
        #expect(try await cache.get("new", as: String.self) == "v")
    }

    @Test func aFullQueueBecomesOneFlushOfTheNamespace() async throws {
        let backend = try ControllableBackend()
        let cache = try self.makeCache(backend, limit: 2)
        let untouched = CacheKey(namespace: cache.namespace, key: "untouched")
        try await backend.memory.set(untouched, to: [1], ttl: nil)

        backend.fail([.delete], with: self.down)
        for key in ["a", "b", "c"] {
            try await cache.remove(key)
        }
        backend.recover()
        #expect(await cache.replayFailedInvalidations())
        // The flush removed everything the dropped removals would have, and more.
        #expect(try await backend.memory.get(untouched) == nil)
    }

    @Test func failuresThatAreNotTheBackendsAreNotKept() async throws {
        let backend = try ControllableBackend()
        let cache = try self.makeCache(backend)
        await #expect(throws: CacheError.self) { try await cache.invalidate(tags: [""]) }
        #expect(!cache.core.failedInvalidations.isPending)
    }

    @Test func withoutFailOpenTheFailureIsThrownAndNotKept() async throws {
        let backend = try ControllableBackend()
        let cache = try Cache(namespace: "orders", backend: backend, configuration: .init(failOpen: false))
        backend.fail([.invalidate], with: self.down)
        await #expect(throws: CacheError.self) { try await cache.invalidate(tags: ["t"]) }
        #expect(!cache.core.failedInvalidations.isPending)
    }
}
