#if VaporSupport
import CacheLayer
import CacheLayerTesting
import CacheLayerVapor
import Testing
import Vapor
import VaporTesting

/// `app.caches.use(.cacheLayer(cache))`: Vapor's cache API reads and writes the CacheLayer cache.
@Suite("Vapor cache driver")
struct VaporCacheDriverTests {
    struct Greeting: Codable, Equatable, Sendable {
        var text: String
    }

    static func cache(_ clock: ManualCacheClock) throws -> CacheLayer.Cache {
        try CacheLayer.Cache(
            namespace: "vapor",
            backend: MemoryBackend(configuration: .init(byteBudget: 1 << 20, clock: clock)),
            configuration: .init(freshnessClock: clock)
        )
    }

    @Test func valuesSetThroughVaporAreReadThroughEitherAPI() async throws {
        let clock = ManualCacheClock(start: .seconds(1_700_000_000))
        let cache = try Self.cache(clock)
        try await withApp { app in
            app.caches.use(.cacheLayer(cache))
            try await app.cache.set("greeting", to: Greeting(text: "hello"))
            #expect(try await app.cache.get("greeting", as: Greeting.self) == Greeting(text: "hello"))
            // The same bytes as `Cache.put`: the typed CacheLayer API reads them.
            #expect(try await cache.get("greeting", as: Greeting.self) == Greeting(text: "hello"))
            try await cache.put("count", value: 3)
            #expect(try await app.cache.get("count", as: Int.self) == 3)
        }
    }

    @Test func expiryAndRemoval() async throws {
        let clock = ManualCacheClock(start: .seconds(1_700_000_000))
        let cache = try Self.cache(clock)
        try await withApp { app in
            app.caches.use(.cacheLayer(cache))
            try await app.cache.set("short", to: "soon gone", expiresIn: .seconds(10))
            try await app.cache.set("kept", to: "still here")
            clock.advance(by: .seconds(11))
            #expect(try await app.cache.get("short", as: String.self) == nil)
            #expect(try await app.cache.get("kept", as: String.self) == "still here")
            try await app.cache.delete("kept")
            #expect(try await app.cache.get("kept", as: String.self) == nil)
        }
    }

    @Test func aValueOfAnotherTypeIsAMissAndBadInputIsATypedError() async throws {
        let cache = try Self.cache(ManualCacheClock(start: .seconds(1_700_000_000)))
        try await withApp { app in
            app.caches.use(.cacheLayer(cache))
            try await app.cache.set("number", to: 42)
            #expect(try await app.cache.get("number", as: Greeting.self) == nil)
            let error = await #expect(throws: CacheError.self) {
                try await app.cache.set("", to: "no key")
            }
            #expect(error?.code == .invalidKey)
        }
    }

    @Test func requestCachesGoThroughTheSameCache() async throws {
        let cache = try Self.cache(ManualCacheClock(start: .seconds(1_700_000_000)))
        try await withApp { app in
            app.caches.use(.cacheLayer(cache))
            app.get("remember") { request async throws -> String in
                try await request.cache.set("last", to: "remembered")
                return "ok"
            }
            try await app.testing().test(.GET, "remember") { response in
                #expect(response.status == .ok)
            }
            #expect(try await cache.get("last", as: String.self) == "remembered")
        }
    }
}
#endif
