import Synchronization
import Testing

@testable import CacheLayer
import CacheLayerTesting

struct Product: Codable, Equatable, Sendable {
    var id: Int
    var name: String
}

@Suite("Cache facade")
struct CacheTests {
    let backend = try! MemoryBackend(byteBudget: 8 << 20)

    func makeCache(_ namespace: String = "products", _ configuration: Cache.Configuration = .init()) throws -> Cache {
        try Cache(namespace: namespace, backend: self.backend, configuration: configuration)
    }

    @Test func typedValuesRoundTrip() async throws {
        let cache = try self.makeCache()
        try await cache.put("p:1", value: Product(id: 1, name: "Lamp"), ttl: .seconds(60))
        #expect(try await cache.get("p:1", as: Product.self) == Product(id: 1, name: "Lamp"))
        #expect(try await cache.get("p:2", as: Product.self) == nil)
    }

    @Test func rawBytesRoundTripUnchanged() async throws {
        let cache = try self.makeCache()
        let bytes: [UInt8] = [0, 13, 10, 255, 0]
        try await cache.putBytes("raw", bytes)
        #expect(try await cache.getBytes("raw") == bytes)
        #expect(try await cache.getBytes(["raw", "absent"]) == [bytes, nil])
    }

    @Test func removeReportsWhetherAValueWasThere() async throws {
        let cache = try self.makeCache()
        try await cache.putBytes("k", [1])
        #expect(try await cache.remove("k"))
        #expect(try await !cache.remove("k"))
        #expect(try await cache.getBytes("k") == nil)
    }

    @Test func removeAllClearsOnlyItsOwnNamespace() async throws {
        let products = try self.makeCache("products")
        let users = try self.makeCache("users")
        try await products.putBytes("1", [1])
        try await users.putBytes("1", [2])
        try await products.removeAll()
        #expect(try await products.getBytes("1") == nil)
        #expect(try await users.getBytes("1") == [2])
    }

    @Test func getOrLoadRunsTheLoaderOnlyOnAMiss() async throws {
        let cache = try self.makeCache()
        let loads = Mutex(0)
        for _ in 0..<3 {
            let product = try await cache.getOrLoad(key: "p:7", ttl: .seconds(30)) {
                loads.withLock { $0 += 1 }
                return Product(id: 7, name: "Desk")
            }
            #expect(product == Product(id: 7, name: "Desk"))
        }
        #expect(loads.withLock { $0 } == 1)
    }

    @Test func getOrLoadRethrowsLoaderErrorsAndStoresNothing() async throws {
        struct DatabaseDown: Error {}
        let cache = try self.makeCache()
        await #expect(throws: DatabaseDown.self) {
            try await cache.getOrLoad(key: "p:8", ttl: nil, as: Product.self) { throw DatabaseDown() }
        }
        #expect(try await cache.getBytes("p:8") == nil)
    }

    @Test func getOrLoadReturnsValuesTooLargeToCache() async throws {
        let small = try MemoryBackend(configuration: .init(byteBudget: 1_000, shardCount: 1))
        let cache = try Cache(namespace: "small", backend: small)
        let big = String(repeating: "x", count: 2_000)
        #expect(try await cache.getOrLoad(key: "big", ttl: nil) { big } == big)
        #expect(try await cache.getBytes("big") == nil)
        let error = await #expect(throws: CacheError.self) { try await cache.put("big", value: big) }
        #expect(error?.code == .valueTooLarge)
    }

    @Test func undecodableValueIsAMissNotACrash() async throws {
        let cache = try self.makeCache()
        try await cache.putBytes("p:9", Array("not json".utf8))
        #expect(try await cache.get("p:9", as: Product.self) == nil)
        // The bytes stay: another version of the type may read them. getOrLoad replaces them.
        #expect(try await cache.getBytes("p:9") == Array("not json".utf8))
        let loaded = try await cache.getOrLoad(key: "p:9", ttl: nil) { Product(id: 9, name: "Chair") }
        #expect(loaded == Product(id: 9, name: "Chair"))
        #expect(try await cache.get("p:9", as: Product.self) == loaded)
    }

    @Test func badKeysAndTTLsAreTypedErrors() async throws {
        let cache = try self.makeCache("products", .init(maximumKeyLength: 8))
        let empty = await #expect(throws: CacheError.self) { try await cache.getBytes("") }
        #expect(empty?.code == .invalidKey)
        let long = await #expect(throws: CacheError.self) { try await cache.putBytes("123456789", [1]) }
        #expect(long?.code == .invalidKey)
        #expect(long?.message.contains("9 bytes") == true)
        let ttl = await #expect(throws: CacheError.self) { try await cache.putBytes("k", [1], ttl: .zero) }
        #expect(ttl?.code == .invalidTTL)
        let batch = await #expect(throws: CacheError.self) { try await cache.getBytes(["ok", ""]) }
        #expect(batch?.code == .invalidKey)
        #expect(self.backend.statistics.entries == 0, "nothing was written by refused calls")
    }

    @Test(arguments: ["", "a:b", "glob*", "x?", "[a]", "back\\slash", "tab\there", String(repeating: "n", count: 129)])
    func badNamespacesAreRefused(_ namespace: String) {
        let error = #expect(throws: CacheError.self) { try Cache(namespace: namespace, backend: self.backend) }
        #expect(error?.code == .invalidNamespace)
    }

    @Test func failOpenTurnsBackendFailuresIntoMissesAndNoOps() async throws {
        let failing = try ControllableBackend.down(CacheError(.backendUnavailable, "connection refused"))
        let cache = try Cache(namespace: "down", backend: failing)
        #expect(try await cache.getBytes("k") == nil)
        #expect(try await cache.getBytes(["a", "b"]) == [nil, nil])
        try await cache.putBytes("k", [1])
        #expect(try await !cache.remove("k"))
        try await cache.removeAll()
        let loaded = try await cache.getOrLoad(key: "k", ttl: nil) { Product(id: 1, name: "Fallback") }
        #expect(loaded.name == "Fallback")
        #expect(failing.callCount == 7)
        // Invalid input still throws when failing open.
        await #expect(throws: CacheError.self) { try await cache.getBytes("") }
    }

    @Test func failClosedThrowsBackendFailures() async throws {
        let failing = try ControllableBackend.down(CacheError(.timeout, "no reply within 50 ms"))
        let cache = try Cache(namespace: "down", backend: failing, configuration: .init(failOpen: false))
        let get = await #expect(throws: CacheError.self) { try await cache.getBytes("k") }
        #expect(get?.code == .timeout)
        let put = await #expect(throws: CacheError.self) { try await cache.putBytes("k", [1]) }
        #expect(put?.code == .timeout)
        await #expect(throws: CacheError.self) {
            try await cache.getOrLoad(key: "k", ttl: nil) { Product(id: 1, name: "never") }
        }
    }

    @Test func maximumKeyLengthMustBePositive() {
        let error = #expect(throws: CacheError.self) {
            try Cache(namespace: "n", backend: self.backend, configuration: .init(maximumKeyLength: 0))
        }
        #expect(error?.code == .invalidConfiguration)
    }
}
