import CacheLayer
import Testing

@testable import CacheLayerRedis

/// A namespace flush against a server that never ends its SCAN: bounded, and stopped by its caller's cancellation.
@Suite("Namespace flush")
struct NamespaceFlushTests {
    /// A SCAN reply that always has more to come.
    static let endless = RedisReply.array([.bulk(Array("7".utf8)), .array([.bulk(Array("k".utf8))])])

    @Test func aScanThatNeverEndsIsAnErrorAfterTheBound() async {
        let error = await #expect(throws: CacheError.self) {
            try await NamespaceFlush.run(
                pattern: Array("*".utf8), maximumBatches: 50, scan: { _ in Self.endless }, unlink: { _ in })
        }
        #expect(error?.code == .backendError)
    }

    @Test func aCancelledCallerStopsTheFlush() async {
        let flush = Task {
            try await NamespaceFlush.run(
                pattern: Array("*".utf8),
                scan: { (_) throws(CacheError) -> RedisReply in
                    await Task.yield()
                    return Self.endless
                }, unlink: { _ in })
        }
        flush.cancel()
        let result = await flush.result
        #expect(throws: CacheError.self) { try result.get() }
    }
}
