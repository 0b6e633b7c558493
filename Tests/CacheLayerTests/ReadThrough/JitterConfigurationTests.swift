import Testing

@testable import CacheLayer

/// A jitter read from configuration that is out of range is a typed error when the cache (or the call) is set up,
/// never a trap. `.proportional(1.5)` and `.added(upTo: -1 s)` stopped the process with a precondition failure.
@Suite("TTL jitter configuration")
struct JitterConfigurationTests {
    @Test(arguments: [1.0, 1.5, -0.1, Double.nan, Double.infinity])
    func aProportionalJitterOutOfRangeIsRefusedByTheCache(fraction: Double) throws {
        let error = #expect(throws: CacheError.self) {
            try Cache(
                namespace: "j", backend: try MemoryBackend(byteBudget: 1 << 20),
                configuration: .init(ttlJitter: .proportional(fraction)))
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("ttlJitter") == true)
    }

    @Test func aNegativeAddedJitterIsRefusedByTheCache() throws {
        let error = #expect(throws: CacheError.self) {
            try Cache(
                namespace: "j", backend: try MemoryBackend(byteBudget: 1 << 20),
                configuration: .init(ttlJitter: .added(upTo: .seconds(-1))))
        }
        #expect(error?.code == .invalidConfiguration)
    }

    @Test func aBadJitterInACallsPolicyIsRefusedByTheCall() async throws {
        let cache = try Cache(namespace: "j", backend: try MemoryBackend(byteBudget: 1 << 20))
        let error = await #expect(throws: CacheError.self) {
            try await cache.getOrLoad(key: "k", ttl: .seconds(1), policy: LoadPolicy(ttlJitter: .proportional(2))) { 1 }
        }
        #expect(error?.code == .invalidConfiguration)
    }
}
