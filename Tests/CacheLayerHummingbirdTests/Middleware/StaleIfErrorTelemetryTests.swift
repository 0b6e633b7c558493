import CacheLayer
import CacheLayerHummingbird
import CacheLayerTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InMemoryTracing
import MetricsTestKit
import NIOCore
import Synchronization
import Testing

/// What a stale-if-error answer of the response cache records: the `cache.get` of the stored response is a hit
/// marked stale, and `cache.stale_if_error_serves` counts it (the conformance cases check the responses).
@Suite("Response cache stale if error telemetry")
struct StaleIfErrorTelemetryTests {
    let clock = ManualCacheClock(start: .seconds(1_700_000_000))
    let tracer = InMemoryTracer()
    let metrics = TestMetrics()
    let failing = OriginSwitch()

    func application() throws -> some ApplicationProtocol {
        let cache = try Cache(
            namespace: "responses",
            backend: MemoryBackend(configuration: .init(byteBudget: 1 << 20, clock: self.clock)),
            configuration: .init(freshnessClock: self.clock, tracer: self.tracer, metricsFactory: self.metrics)
        )
        let boundaries = try CacheBoundaries([
            CacheEndpoint(
                name: "report", path: "/report", ttl: .seconds(60),
                loadPolicy: LoadPolicy(maximumStaleAge: .seconds(120)))
        ])
        let router = Router()
        router.add(middleware: try ResponseCacheMiddleware<BasicRequestContext>(cache: cache, boundaries: boundaries))
        router.get("/report") { [failing] _, _ -> Response in
            let status: HTTPResponse.Status = failing.isDown ? .serviceUnavailable : .ok
            return Response(status: status, body: ResponseBody(byteBuffer: ByteBuffer(string: "report")))
        }
        return Application(router: router)
    }

    @Test func aStaleAnswerIsAStaleHitAndIsCounted() async throws {
        let app = try self.application()
        try await app.test(.router) { client in
            _ = try await client.execute(uri: "/report", method: .get)
            self.clock.advance(by: .seconds(90))
            self.failing.goDown()
            self.tracer.clearFinishedSpans()
            let stale = try await client.execute(uri: "/report", method: .get)
            #expect(stale.status == .ok)
            #expect(stale.headers[.xCache] == "STALE")
        }
        let get = try #require(self.tracer.finishedSpans.last { $0.operationName == "cache.get" })
        #expect(get.attributes.get("cache.hit") == true)
        #expect(get.attributes.get("cache.stale") == true)
        let served = try self.metrics.expectCounter("cache.stale_if_error_serves", [("cache", "responses")])
        #expect(served.totalValue == 1)
    }
}

/// Whether the handler answers 503.
final class OriginSwitch: Sendable {
    private let down = Mutex(false)
    var isDown: Bool { self.down.withLock { $0 } }
    func goDown() { self.down.withLock { $0 = true } }
}
