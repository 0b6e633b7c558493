import CacheLayer
import CacheLayerTesting
import Testing

@Suite("ControllableBackend (CacheLayerTesting)")
struct ControllableBackendTests {
    let key = CacheKey(namespace: try! CacheNamespace("doubles"), key: "k")

    @Test func chosenOperationsFailUntilRecovered() async throws {
        let backend = try ControllableBackend()
        try await backend.set(self.key, to: [1], ttl: nil)
        backend.fail([.set], with: CacheError(.backendUnavailable, "down"))
        let error = await #expect(throws: CacheError.self) { try await backend.set(self.key, to: [2], ttl: nil) }
        #expect(error?.code == .backendUnavailable)
        #expect(try await backend.get(self.key) == [1], "reads still reach the memory")
        backend.recover()
        try await backend.set(self.key, to: [3], ttl: nil)
        #expect(try await backend.get(self.key) == [3])
        #expect(backend.callCount == 5)
    }

    @Test func aFailingGetIsNotAnsweredWithoutSuspending() async throws {
        let backend = try ControllableBackend()
        try await backend.set(self.key, to: [1], ttl: nil)
        #expect(backend.getWithoutSuspending(self.key) == .some(.some([1])))
        backend.fail([.get], with: CacheError(.timeout, "slow"))
        #expect(backend.getWithoutSuspending(self.key) == nil)
        let cache = try Cache(namespace: "doubles", backend: backend)
        #expect(try await cache.getBytes("k") == nil, "fail open: a failing backend is a miss")
    }

    @Test func aStalledOperationWaitsForResume() async throws {
        let backend = try ControllableBackend()
        try await backend.set(self.key, to: [7], ttl: nil)
        backend.stall([.get])
        let read = Task { try await backend.get(self.key) }
        // The read is parked in the stall before the test lets it go (no timing involved).
        while backend.stalledCallCount < 1 { await Task.yield() }
        backend.resume()
        #expect(try await read.value == [7])
        #expect(backend.stalledCallCount == 0)
        #expect(try await backend.get(self.key) == [7], "after resume, calls no longer wait")
    }
}
