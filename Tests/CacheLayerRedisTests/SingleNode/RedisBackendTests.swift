import CacheLayer
import Testing

@testable import CacheLayerRedis

@Suite("Redis backend", .enabled(if: RedisTestServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh"))
struct RedisBackendTests {
    let namespace = try! CacheNamespace("items")

    func key(_ name: String) -> CacheKey { CacheKey(namespace: self.namespace, key: name) }

    @Test func roundTripAndDelete() async throws {
        let backend = try RedisBackendFixture.backend()
        try await backend.set(self.key("a"), to: Array("hello".utf8), ttl: nil)
        #expect(try await backend.get(self.key("a")) == Array("hello".utf8))
        #expect(try await backend.get(self.key("missing")) == nil)
        #expect(try await backend.delete(self.key("a")))
        #expect(try await !backend.delete(self.key("a")))
        #expect(try await backend.get(self.key("a")) == nil)
    }

    @Test func keysAreStoredAsPrefixNamespaceKey() async throws {
        let backend = try RedisBackendFixture.backend(prefix: "layout-check:")
        try await backend.set(self.key("k1"), to: [1], ttl: .seconds(30))
        #expect(try await backend.command("EXISTS", "layout-check:items:k1") == .integer(1))
        try await backend.deleteAll(in: self.namespace)
    }

    @Test func ttlIsHonouredInMilliseconds() async throws {
        let backend = try RedisBackendFixture.backend()
        try await backend.set(self.key("ttl"), to: [1], ttl: .milliseconds(90_500))
        let prefix = backend.configuration.keyPrefix
        guard case .integer(let remaining) = try await backend.command("PTTL", "\(prefix)items:ttl") else {
            Issue.record("PTTL did not return an integer")
            return
        }
        // Milliseconds, not seconds: 90.5 s, less however long this machine took between the two commands.
        #expect((60_000...90_500).contains(remaining), "PTTL \(remaining)")
        try await backend.set(self.key("sub-ms"), to: [1], ttl: .microseconds(1_500))
        guard case .integer(let rounded) = try await backend.command("PTTL", "\(prefix)items:sub-ms") else { return }
        #expect(rounded != -1 && rounded <= 2, "sub-millisecond TTLs round up to 1 ms; -1 would mean no expiry")
        try await backend.set(self.key("forever"), to: [1], ttl: nil)
        #expect(try await backend.command("PTTL", "\(prefix)items:forever") == .integer(-1))
        try await backend.set(self.key("short"), to: [1], ttl: .milliseconds(50))
        try await Task.sleep(for: .milliseconds(120))
        #expect(try await backend.get(self.key("short")) == nil)
    }

    @Test func keysAndValuesAreBinarySafe() async throws {
        let backend = try RedisBackendFixture.backend()
        let awkwardKey = self.key("line\r\nbreak\0nul \u{1F600}")
        let awkwardValue: [UInt8] = [0, 13, 10, 0, 255, 36, 42, 13, 10]
        try await backend.set(awkwardKey, to: awkwardValue, ttl: nil)
        #expect(try await backend.get(awkwardKey) == awkwardValue)
        #expect(try await backend.get(self.key("line\r\nbreak")) == nil)

        var random = SystemRandomNumberGenerator()
        let large = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &random) }
        try await backend.set(self.key("large"), to: large, ttl: nil)
        #expect(try await backend.get(self.key("large")) == large)
        try await backend.set(self.key("empty"), to: [], ttl: nil)
        #expect(try await backend.get(self.key("empty")) == [])
    }

    @Test func batchGetKeepsOrder() async throws {
        let backend = try RedisBackendFixture.backend()
        for index in 0..<50 where index % 3 != 0 {
            try await backend.set(self.key("b\(index)"), to: Array("value-\(index)".utf8), ttl: nil)
        }
        let keys = (0..<50).map { self.key("b\($0)") }
        let values = try await backend.get(keys)
        #expect(values == (0..<50).map { $0 % 3 == 0 ? nil : Array("value-\($0)".utf8) })
        #expect(try await backend.get([]) == [])
    }

    @Test func setIfAbsentAndOwnerCheckedDelete() async throws {
        let backend = try RedisBackendFixture.backend()
        #expect(try await backend.setIfAbsent(self.key("lock"), to: Array("owner-a".utf8), ttl: .seconds(5)))
        #expect(try await !backend.setIfAbsent(self.key("lock"), to: Array("owner-b".utf8), ttl: .seconds(5)))
        #expect(try await !backend.delete(self.key("lock"), ifValueEquals: Array("owner-b".utf8)))
        // Make the server forget the script, so the EVAL fallback runs.
        _ = try await backend.command("SCRIPT", "FLUSH")
        #expect(try await backend.delete(self.key("lock"), ifValueEquals: Array("owner-a".utf8)))
        #expect(try await backend.get(self.key("lock")) == nil)
        // And the EVALSHA path, now that EVAL cached it.
        try await backend.set(self.key("lock"), to: [7], ttl: nil)
        #expect(try await backend.delete(self.key("lock"), ifValueEquals: [7]))
    }

    @Test func ownerCheckedDeleteScriptHashMatchesTheServer() async throws {
        let backend = try RedisBackendFixture.backend()
        #expect(
            try await backend.command("SCRIPT", "LOAD", OwnerCheckedDelete.script)
                == .bulk(Array(OwnerCheckedDelete.sha1.utf8)))
    }

    @Test func flushRemovesOnlyItsPrefixAndNamespace() async throws {
        let mine = try RedisBackendFixture.backend(prefix: "flush-a*[x]:")
        let otherPrefix = try RedisBackendFixture.backend(prefix: "flush-b:")
        let otherNamespace = CacheKey(namespace: try CacheNamespace("items2"), key: "k")
        for index in 0..<2_500 {
            try await mine.set(self.key("k\(index)"), to: [1], ttl: nil)
        }
        try await mine.set(otherNamespace, to: [2], ttl: nil)
        try await otherPrefix.set(self.key("k1"), to: [3], ttl: nil)
        _ = try await mine.command("SET", "items:k1", "unprefixed")

        try await mine.deleteAll(in: self.namespace)

        #expect(try await mine.get(self.key("k1")) == nil)
        #expect(try await mine.get(self.key("k2499")) == nil)
        #expect(try await mine.get(otherNamespace) == [2])
        #expect(try await otherPrefix.get(self.key("k1")) == [3])
        #expect(try await mine.command("GET", "items:k1") == .bulk(Array("unprefixed".utf8)))
        _ = try await mine.command("DEL", "items:k1")
        try await otherPrefix.deleteAll(in: self.namespace)
        try await mine.deleteAll(in: otherNamespace.namespace)
    }

    @Test func errorRepliesAreTypedWithTheirPrefix() async throws {
        let backend = try RedisBackendFixture.backend()
        let prefix = backend.configuration.keyPrefix
        _ = try await backend.command("LPUSH", "\(prefix)items:list", "x")
        let error = await #expect(throws: CacheError.self) { try await backend.get(self.key("list")) }
        #expect(error?.code == .backendError)
        #expect(error?.responseStatusCode == "WRONGTYPE")
        _ = try await backend.delete(self.key("list"))
    }

    @Test func valuesOverTheLimitAreRefusedBeforeSending() async throws {
        var configuration = try RedisBackendFixture.configuration()
        configuration.maximumValueSize = 1_000
        let backend = try RedisBackend(configuration: configuration)
        let error = await #expect(throws: CacheError.self) {
            try await backend.set(self.key("big"), to: [UInt8](repeating: 1, count: 1_001), ttl: nil)
        }
        #expect(error?.code == .valueTooLarge)
        #expect(try await backend.get(self.key("big")) == nil)
    }

    @Test func cacheFacadeOverRedis() async throws {
        struct Order: Codable, Equatable { var id: Int; var total: Double }
        let cache = try Cache(namespace: "orders", backend: try RedisBackendFixture.backend())
        try await cache.put("o:1", value: Order(id: 1, total: 9.5), ttl: .seconds(10))
        #expect(try await cache.get("o:1", as: Order.self) == Order(id: 1, total: 9.5))
        let loaded = try await cache.getOrLoad(key: "o:2", ttl: .seconds(10)) { Order(id: 2, total: 1) }
        #expect(try await cache.get("o:2", as: Order.self) == loaded)
        try await cache.removeAll()
        #expect(try await cache.get("o:1", as: Order.self) == nil)
    }
}
