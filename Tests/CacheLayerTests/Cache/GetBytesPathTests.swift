import CacheLayerTestSupport
import CacheLayerTesting
import Testing

@testable import CacheLayer

/// `getBytes` answers through the backend's synchronous read, or (stalled, or observed) through the general read,
/// which makes the key again: the answers and the errors are the same.
@Suite("getBytes, answered at once or not")
struct GetBytesPathTests {
    @Test(arguments: [false, true])
    func invalidKeysThrowTheSameErrorAndFramedStaleValuesAreMisses(slowPath: Bool) async throws {
        let clock = ManualCacheClock(start: .seconds(1_000))
        let backend = ControllableBackend(
            memory: try MemoryBackend(configuration: .init(byteBudget: 8 << 20, clock: clock)))
        let cache = try Cache(
            namespace: "bytes", backend: backend,
            configuration: .init(
                loadPolicy: LoadPolicy(gracePeriod: .seconds(60)), freshnessClock: clock))
        for bad in ["", String(repeating: "k", count: 10_000)] {
            let error = await #expect(throws: CacheError.self) { try await cache.getBytes(bad) }
            #expect(error?.code == .invalidKey)
        }
        try await cache.putBytes("plain", [1, 2, 3], ttl: .seconds(60))
        _ = try await cache.getOrLoad(key: "framed", ttl: .seconds(10)) { [UInt8]([7]) }
        if slowPath { backend.stall([.get]) }  // getWithoutSuspending answers nil: the slow path
        let plain = Task { try await cache.getBytes("plain") }
        let missing = Task { try await cache.getBytes("missing") }
        if slowPath {
            #expect(await waitUntil { backend.stalledCallCount == 2 })
            backend.resume()
        }
        #expect(try await plain.value == [1, 2, 3])
        #expect(try await missing.value == nil)
        #expect(try await cache.getBytes("framed") != nil)
        clock.advance(by: .seconds(11))  // stale, within grace: a plain read is a miss
        #expect(try await cache.getBytes("framed") == nil)
    }
}
