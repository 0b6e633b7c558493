import CacheLayer
import CacheLayerHummingbird
import CacheLayerTestSupport
import CacheLayerTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MetricsTestKit
import NIOCore
import Testing

/// Invalidation rules and tag headers through Hummingbird, beyond the conformance cases: failed invalidations
/// (queued with `failOpen`, an error without), a write racing a read (the boundary's tags guard the whole load),
/// counters, and tag headers kept on request.
@Suite("Response cache: tags and invalidation rules")
struct ResponseCacheInvalidationTests {
    /// The handler of `GET /stores/:store` (body: store and run count), `PUT /stores/:store` (200), and `GET
    /// /tagged` (tagged by its headers). `reads` gates the GET handler when it is held.
    struct App {
        let backend: ControllableBackend
        let cache: Cache
        let metrics = TestMetrics()
        let runs = LoadCounter()
        let reads = Gate()
        let entered: AsyncStream<Void>
        let enter: AsyncStream<Void>.Continuation
        let middleware: ResponseCacheMiddleware<BasicRequestContext>

        init(failOpen: Bool = true, holdReads: Bool = false, keepsTagHeaders: Bool = false) throws {
            self.backend = try ControllableBackend()
            self.cache = try Cache(
                namespace: "responses", backend: self.backend,
                configuration: .init(failOpen: failOpen, metricsFactory: self.metrics))
            if !holdReads { self.reads.open() }
            (self.entered, self.enter) = AsyncStream.makeStream()
            let boundaries = try CacheBoundaries(
                [
                    CacheEndpoint(name: "store", path: "/stores/:store", ttl: .seconds(60), tags: ["store:{store}"]),
                    CacheEndpoint(name: "tagged", path: "/tagged", ttl: .seconds(60)),
                ],
                invalidationRules: [
                    CacheInvalidationRule(name: "store-write", path: "/stores/:store", tags: ["store:{store}"])
                ]
            )
            self.middleware = try ResponseCacheMiddleware(
                cache: self.cache, boundaries: boundaries,
                configuration: .init(metricsFactory: self.metrics, keepsTagHeaders: keepsTagHeaders))
        }

        func application() -> some ApplicationProtocol {
            let router = Router()
            router.add(middleware: self.middleware)
            let (runs, reads, enter) = (self.runs, self.reads, self.enter)
            router.get("/stores/:store") { _, context -> String in
                runs.increment()
                let run = runs.count
                enter.yield()
                await reads.wait()
                return "store \(context.parameters.get("store") ?? "?"), run \(run)"
            }
            router.put("/stores/:store") { _, _ -> String in "changed" }
            router.post("/stores/:store") { _, _ -> String in throw HTTPError(.badRequest) }
            router.get("/tagged") { _, _ -> Response in
                Response(
                    status: .ok, headers: [HTTPField.Name("Cache-Tag")!: "a, b"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: "tagged")))
            }
            return Application(router: router)
        }

        func invalidations(_ result: String) throws -> Int64 {
            try self.metrics.expectCounter(
                "cache.http_invalidations", [("rule", "store-write"), ("result", result)]
            ).totalValue
        }
    }

    @Test func withFailOpenAFailedInvalidationIsQueuedAndTheOldPageIsNeverServedAgain() async throws {
        let app = try App()
        try await app.application().test(.router) { client in
            _ = try await client.execute(uri: "/stores/7", method: .get)
            #expect(try await client.execute(uri: "/stores/7", method: .get).headers[.xCache] == "HIT")
            app.backend.fail([.invalidate], with: CacheError(.backendUnavailable, "down"))
            let write = try await client.execute(uri: "/stores/7", method: .put)
            #expect(write.status == .ok)
            let during = try await client.execute(uri: "/stores/7", method: .get)
            #expect(String(buffer: during.body) == "store 7, run 2")
            app.backend.recover()
            let after = try await client.execute(uri: "/stores/7", method: .get)
            #expect(after.headers[.xCache] == "MISS")
            #expect(String(buffer: after.body) == "store 7, run 3")
            #expect(try await client.execute(uri: "/stores/7", method: .get).headers[.xCache] == "HIT")
        }
        #expect(try app.invalidations("invalidated") == 1)
        #expect(
            try app.metrics.expectCounter("cache.failed_invalidations", [("cache", "responses"), ("result", "queued")])
                .totalValue == 1)
    }

    @Test func withFailOpenOffAFailedInvalidationFailsTheWrite() async throws {
        let app = try App(failOpen: false)
        try await app.application().test(.router) { client in
            _ = try await client.execute(uri: "/stores/7", method: .get)
            app.backend.fail([.invalidate], with: CacheError(.backendUnavailable, "down"))
            let write = try await client.execute(uri: "/stores/7", method: .put)
            #expect(write.status == .internalServerError)
            #expect(write.headers[.xCache] == "BYPASS")
        }
        #expect(try app.invalidations("failed") == 1)
        #expect(try app.invalidations("invalidated") == 0)
    }

    @Test func aWriteWhileAReadLoadsWinsOverThatLoad() async throws {
        let app = try App(holdReads: true)
        try await app.application().test(.router) { client in
            async let slowRead = client.execute(uri: "/stores/7", method: .get)
            var entered = app.entered.makeAsyncIterator()
            await entered.next()
            // The read's handler has started (with the old data); the write completes meanwhile.
            let write = try await client.execute(uri: "/stores/7", method: .put)
            #expect(write.status == .ok)
            app.reads.open()
            let read = try await slowRead
            #expect(String(buffer: read.body) == "store 7, run 1")
            // Its response was not stored: the next read runs the handler.
            let next = try await client.execute(uri: "/stores/7", method: .get)
            #expect(next.headers[.xCache] == "MISS")
            #expect(String(buffer: next.body) == "store 7, run 2")
        }
    }

    @Test func tagHeadersAreKeptWhenConfiguredAndStoredAllTheSame() async throws {
        let app = try App(keepsTagHeaders: true)
        try await app.application().test(.router) { client in
            let miss = try await client.execute(uri: "/tagged", method: .get)
            #expect(miss.headers[HTTPField.Name("Cache-Tag")!] == "a, b")
            let hit = try await client.execute(uri: "/tagged", method: .get)
            #expect(hit.headers[.xCache] == "HIT")
            #expect(hit.headers[HTTPField.Name("Cache-Tag")!] == "a, b")
            try await app.cache.invalidate(tags: ["b"])
            #expect(try await client.execute(uri: "/tagged", method: .get).headers[.xCache] == "MISS")
        }
    }

    @Test func aWriteAnsweredWithAnErrorIsCountedAndInvalidatesNothing() async throws {
        let app = try App()
        try await app.application().test(.router) { client in
            _ = try await client.execute(uri: "/stores/7", method: .get)
            let write = try await client.execute(uri: "/stores/7", method: .post, body: ByteBuffer(string: "x"))
            // The handler throws a 400: nothing is invalidated.
            #expect(write.status == .badRequest)
            #expect(try await client.execute(uri: "/stores/7", method: .get).headers[.xCache] == "HIT")
        }
        #expect(try app.invalidations("not_successful") == 1)
    }
}

extension ResponseCacheInvalidationTests {
    /// Tags are compared by bytes: a response naming `café` precomposed and decomposed carries both.
    @Test func twoSpellingsOfOneTagInTheHeadersAreBothKept() {
        let fields: HTTPFields = [.init("Cache-Tag")!: "caf\u{E9}, cafe\u{301}"]
        guard case .tags(let tags) = ResponseTagHeaders.read(fields, limit: 64) else {
            Issue.record("the tags were refused")
            return
        }
        #expect(tags.map { Array($0.utf8) } == [Array("caf\u{E9}".utf8), Array("cafe\u{301}".utf8)])
    }
}
