import CacheLayer
import CacheLayerHummingbird
import CacheLayerTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InMemoryLogging
import Logging
import Testing

@Suite("Response cache: a store that fails after the handler ran")
struct ResponseStoreFailureTests {
    @Test func withFailOpenOffTheHandlersResponseIsStillSent() async throws {
        // Reads miss; every write fails, as with a Redis server that went down between the read and the write.
        let backend = try ControllableBackend()
        backend.fail(
            [.set, .setIfAbsent], with: CacheError(.backendUnavailable, "the test backend refuses every write"))
        let fixture = try ResponseCacheFixture(backend: backend, failOpen: false)
        try await fixture.application().test(.router) { client in
            for run in 1...2 {
                let response = try await client.execute(uri: "/admin/order-items", method: .get)
                #expect(response.status == .ok, "run \(run)")
                #expect(response.cacheStatus == "MISS" && response.text == "order items page 1, run \(run)")
            }
        }
        #expect(fixture.runs.count == 2)
        #expect(
            try fixture.metrics.expectCounter(
                "cache.responses_not_stored",
                [("boundary", "order-items"), ("reason", "store_failed")]
            ).totalValue == 2)
    }
}

extension ResponseStoreFailureTests {
    /// The response cache's own warnings ("response cache unavailable; serving without it", "...sent without being
    /// stored") name the cache's error, whose message may name the key (a backend's): with keys off, the key must
    /// not reach the log.
    @Test(arguments: [ControllableBackend.Operation.get, .set])
    func theResponseCachesWarningsObeyKeyCapture(failing operation: ControllableBackend.Operation) async throws {
        let secret = "alice.secret@example.com"
        // The key the boundaries make for the request below (`@` percent-encoded).
        let key = "http://localhost/echo?email=alice.secret%40example.com"
        let backend = try ControllableBackend()
        // A backend that fails the way a remote one may: its message names the key (KeyCaptureInErrorsTests).
        backend.fail(
            operation == .get ? [.get] : [.set, .setIfAbsent],
            with: CacheError(.backendError, "ERR while running \(operation) responses:\(key)"))
        let cache = try Cache(
            namespace: "responses", backend: backend, configuration: .init(failOpen: false, keyCapture: .off))
        let endpoint = CacheEndpoint(
            name: "echo", path: "/echo", ttl: .seconds(60),
            pagination: PaginationBoundary(unknownParameters: .includeInKey))
        let boundaries = try CacheBoundaries([endpoint])
        #expect(
            boundaries.decide(
                CacheRequest(scheme: "http", authority: "localhost", path: "/echo", query: [("email", secret)])
            ).key == key)
        let logs = InMemoryLogHandler()
        var logger = Logger(label: "requests", factory: { _ in logs })
        logger.logLevel = .debug
        let router = Router()
        router.add(middleware: try ResponseCacheMiddleware(cache: cache, boundaries: boundaries))
        router.get("/echo") { _, _ in "hello" }
        try await Application(router: router, logger: logger).test(.router) { client in
            let response = try await client.execute(uri: "/echo?email=\(secret)", method: .get)
            #expect(response.status == .ok)
        }
        #expect(logs.entries.contains { $0.level == .warning }, "the cache's failure was not logged at all")
        let text = logs.entries.map { "\($0.level) \($0.message) \($0.metadata)" }.joined(separator: "\n")
        #expect(!text.contains("alice"), "with keyCapture .off the key reached the log:\n\(text)")
    }
}
