import Testing

@testable import CacheLayer

/// Keys are byte-exact on every backend: two spellings of one text (Unicode NFC and NFD) are two keys, as they are
/// two keys in Redis.
@Suite("Byte-exact keys")
struct KeyExactnessTests {
    static let composed = "caf\u{E9}"  // NFC: é is one scalar
    static let decomposed = "cafe\u{301}"  // NFD: e followed by a combining acute accent

    @Test func nfcAndNfdSpellingsAreTwoEntriesInMemory() async throws {
        #expect(Self.composed == Self.decomposed, "Swift's String equality is canonical equivalence")
        let cache = try Cache(namespace: "keys", backend: try MemoryBackend(byteBudget: 1 << 20))
        try await cache.putBytes(Self.composed, [1])
        try await cache.putBytes(Self.decomposed, [2])
        #expect(try await cache.getBytes(Self.composed) == [1])
        #expect(try await cache.getBytes(Self.decomposed) == [2])
        #expect(try await cache.remove(Self.composed))
        #expect(try await cache.getBytes(Self.decomposed) == [2])
    }

    @Test func cacheKeysCompareAndHashTheirBytes() throws {
        let namespace = try CacheNamespace("keys")
        let composed = CacheKey(namespace: namespace, key: Self.composed)
        let decomposed = CacheKey(namespace: namespace, key: Self.decomposed)
        #expect(composed != decomposed)
        #expect(Set([composed, decomposed]).count == 2)
        #expect(composed == CacheKey(namespace: namespace, key: "caf" + "\u{E9}"))
        #expect(composed.hashValue == CacheKey(namespace: namespace, key: "caf" + "\u{E9}").hashValue)
    }

    /// Keys equal by bytes but stored differently (a small string and a heap one, two heap copies), and keys that
    /// differ in one byte past the small-string length: the bit-identity shortcut must not change any answer.
    @Test func equalityIsByBytesWhateverTheStorage() throws {
        let namespace = try CacheNamespace("keys")
        let long = String(repeating: "k", count: 40)
        let copy = String(decoding: Array(long.utf8), as: UTF8.self)
        #expect(CacheKey(namespace: namespace, key: long) == CacheKey(namespace: namespace, key: copy))
        #expect(CacheKey(namespace: namespace, key: long) != CacheKey(namespace: namespace, key: long + "!"))
        #expect(
            CacheKey(namespace: namespace, key: String(long.dropLast()) + "j")
                != CacheKey(namespace: namespace, key: long))
        let small = "user:1"
        let bridgedThroughBytes = String(decoding: Array(small.utf8), as: UTF8.self)
        #expect(CacheKey(namespace: namespace, key: small) == CacheKey(namespace: namespace, key: bridgedThroughBytes))
        #expect(CacheKey(namespace: namespace, key: "user:1") != CacheKey(namespace: namespace, key: "user:2"))
        let otherNamespace = try CacheNamespace(String(decoding: Array("keys".utf8), as: UTF8.self))
        #expect(CacheKey(namespace: namespace, key: small) == CacheKey(namespace: otherNamespace, key: small))
    }

    @Test func nfcAndNfdNamespacesAreTwoNamespaces() async throws {
        let backend = try MemoryBackend(byteBudget: 1 << 20)
        let composed = try Cache(namespace: Self.composed, backend: backend)
        let decomposed = try Cache(namespace: Self.decomposed, backend: backend)
        #expect(composed.namespace != decomposed.namespace)
        try await composed.putBytes("k", [1])
        try await decomposed.putBytes("k", [2])
        #expect(try await composed.getBytes("k") == [1])
        try await decomposed.removeAll()
        #expect(try await composed.getBytes("k") == [1])
    }
}
