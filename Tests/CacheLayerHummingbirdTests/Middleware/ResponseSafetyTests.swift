import CacheLayer
import CacheLayerHummingbird
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Response cache: what is never stored or shared")
struct ResponseSafetyTests {
    /// Requests `uri` twice; both must be misses that ran the handler, and the reason counted once per request.
    func expectNeverStored(_ uri: String, boundary: String, reason: String, headers: HTTPFields = [:]) async throws {
        let fixture = try ResponseCacheFixture()
        try await fixture.application().test(.router) { client in
            for _ in 0..<2 {
                let response = try await client.execute(uri: uri, method: .get, headers: headers)
                #expect(response.cacheStatus == "MISS", "\(uri)")
                #expect(response.headers[.age] == nil)
            }
        }
        #expect(fixture.runs.count == 2, "\(uri)")
        #expect(
            try fixture.metrics.expectCounter(
                "cache.responses_not_stored",
                [("boundary", boundary), ("reason", reason)]
            ).totalValue == 2)
    }

    @Test func noStoreAndNoCacheAreHonoured() async throws {
        try await self.expectNeverStored("/no-store", boundary: "no-store", reason: "no_store")
    }

    @Test func privateResponsesAreNeverStored() async throws {
        try await self.expectNeverStored("/private", boundary: "private", reason: "private")
    }

    @Test func responsesSettingACookieAreNeverStored() async throws {
        try await self.expectNeverStored("/cookie", boundary: "cookie", reason: "set_cookie")
    }

    @Test func statusesOtherThanOKAreNotStored() async throws {
        try await self.expectNeverStored("/missing", boundary: "missing", reason: "status")
    }

    @Test func aVaryOnAHeaderTheKeyLeavesOutIsNotStored() async throws {
        try await self.expectNeverStored("/vary", boundary: "vary", reason: "vary")
    }

    @Test func aVaryHeaderTheKeyIncludesGivesEachValueItsOwnEntry() async throws {
        let fixture = try ResponseCacheFixture()
        try await fixture.application().test(.router) { client in
            for (language, status) in [("en", "MISS"), ("fr", "MISS"), ("en", "HIT"), ("fr", "HIT")] {
                let response = try await client.execute(
                    uri: "/greeting", method: .get, headers: [.acceptLanguage: language])
                #expect(response.cacheStatus == status && response.text == "greeting in \(language)", "\(language)")
            }
        }
        #expect(fixture.runs.count == 2)
    }

    @Test func bodiesOverTheLimitAreSentWholeButNotStored() async throws {
        let fixture = try ResponseCacheFixture(maximumBodySize: 1_024)
        try await fixture.application().test(.router) { client in
            for _ in 0..<2 {
                let response = try await client.execute(uri: "/large", method: .get)
                #expect(response.cacheStatus == "MISS" && response.text == ResponseCacheFixture.largeBody)
            }
        }
        #expect(fixture.runs.count == 2)
        #expect(
            try fixture.metrics.expectCounter(
                "cache.responses_not_stored",
                [("boundary", "large"), ("reason", "too_large")]
            ).totalValue == 2)
    }

    @Test func requestsCarryingCredentialsBypassASharedEndpoint() async throws {
        let fixture = try ResponseCacheFixture()
        try await fixture.application().test(.router) { client in
            // Warm the shared entry, then ask with credentials: never served the shared entry, never stored.
            #expect(try await client.execute(uri: "/admin/order-items", method: .get).cacheStatus == "MISS")
            for headers: HTTPFields in [[.authorization: "Bearer alice"], [.cookie: "session=alice"]] {
                let response = try await client.execute(uri: "/admin/order-items", method: .get, headers: headers)
                #expect(response.cacheStatus == "BYPASS")
            }
        }
        #expect(fixture.runs.count == 3)
    }

    @Test func perUserEntriesAreNeverSharedBetweenUsers() async throws {
        let fixture = try ResponseCacheFixture()
        try await fixture.application().test(.router) { client in
            let user = HTTPField.Name("X-User")!
            for name in ["alice", "bob", "alice", "bob"] {
                let response = try await client.execute(
                    uri: "/me", method: .get, headers: [user: name, .authorization: "Bearer \(name)"])
                #expect(response.text == "hello \(name)")
            }
            let anonymous = try await client.execute(uri: "/me", method: .get)
            #expect(anonymous.cacheStatus == "BYPASS" && anonymous.text == "hello nobody")
        }
        // One run per user, then hits; the anonymous request ran on its own.
        #expect(fixture.runs.count == 3)
    }

    @Test func aCacheThatIsDownDoesNotTakeTheEndpointDown() async throws {
        let fixture = try ResponseCacheFixture(backend: UnreachableBackend(), failOpen: false)
        try await fixture.application().test(.router) { client in
            let response = try await client.execute(uri: "/admin/order-items", method: .get)
            #expect(response.status == .ok && response.cacheStatus == "BYPASS")
            #expect(response.text == "order items page 1, run 1")
        }
    }

    @Test func badConfigurationIsATypedError() throws {
        let cache = try Cache(namespace: "responses", backend: MemoryBackend(byteBudget: 1 << 20))
        let boundaries = try CacheBoundaries([])
        #expect(throws: CacheError.self) {
            try ResponseCacheMiddleware<BasicRequestContext>(
                cache: cache, boundaries: boundaries, configuration: .init(maximumBodySize: -1))
        }
        #expect(throws: CacheError.self) {
            try ResponseCacheMiddleware<BasicRequestContext>(
                cache: cache, boundaries: boundaries, configuration: .init(cacheableStatuses: []))
        }
    }
}

/// A backend whose every call fails as an unreachable server's would.
struct UnreachableBackend: CacheBackend {
    let telemetry = CacheBackendTelemetry(spanKind: .client, attributes: [:])
    private var down: CacheError { CacheError(.backendUnavailable, "connection refused") }

    func get(_ key: CacheKey) async throws(CacheError) -> [UInt8]? { throw self.down }
    func get(_ keys: [CacheKey]) async throws(CacheError) -> [[UInt8]?] { throw self.down }
    func set(_ key: CacheKey, to value: [UInt8], ttl: Duration?) async throws(CacheError) { throw self.down }
    func setIfAbsent(_ key: CacheKey, to value: [UInt8], ttl: Duration?) async throws(CacheError) -> Bool {
        throw self.down
    }
    func delete(_ key: CacheKey) async throws(CacheError) -> Bool { throw self.down }
    func delete(_ key: CacheKey, ifValueEquals expected: [UInt8]) async throws(CacheError) -> Bool { throw self.down }
    func deleteAll(in namespace: CacheNamespace) async throws(CacheError) { throw self.down }
}
