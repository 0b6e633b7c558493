import InMemoryTracing
import Testing
import Tracing

@testable import CacheLayer
import CacheLayerTesting

@Suite("Cache spans")
struct CacheTracingTests {
    let tracer = InMemoryTracer()
    let backend = try! MemoryBackend(byteBudget: 8 << 20)

    func makeCache(keyCapture: KeyCapture = .full, backend: (any CacheBackend)? = nil) throws -> Cache {
        try Cache(
            namespace: "products",
            backend: backend ?? self.backend,
            configuration: .init(keyCapture: keyCapture, tracer: self.tracer)
        )
    }

    @Test func getHitAndMissCarryTheCacheModuleAttributes() async throws {
        let cache = try self.makeCache()
        try await cache.putBytes("p:1", [1, 2, 3])
        self.tracer.clearFinishedSpans()

        _ = try await cache.getBytes("p:1")
        _ = try await cache.getBytes("p:2")

        let spans = self.tracer.finishedSpans
        try #require(spans.count == 2)
        #expect(spans.map(\.operationName) == ["cache.get", "cache.get"])
        #expect(spans.allSatisfy { $0.kind == .internal && $0.status == nil && $0.errors.isEmpty })
        #expect(
            spans[0].attributes == [
                "sentry.op": "cache.get", "cache.operation": "get",
                "cache.key": .stringArray(["products:p:1"]),
                "cache.hit": true,
                "cache.item_size": 3,
            ]
        )
        #expect(
            spans[1].attributes == [
                "sentry.op": "cache.get", "cache.operation": "get",
                "cache.key": .stringArray(["products:p:2"]),
                "cache.hit": false,
            ]
        )
    }

    @Test func putCarriesSizeTTLAndWrite() async throws {
        let cache = try self.makeCache()
        try await cache.put("p:1", value: Product(id: 1, name: "Lamp"), ttl: .milliseconds(90_600))
        let span = try #require(self.tracer.finishedSpans.first)
        #expect(span.operationName == "cache.put")
        let size = try #require(try await cache.getBytes("p:1")).count
        #expect(
            span.attributes == [
                "sentry.op": "cache.put", "cache.operation": "put",
                "cache.key": .stringArray(["products:p:1"]),
                "cache.item_size": .int64(Int64(size)),
                "cache.ttl": 91,
                "cache.write": true,
            ]
        )
    }

    @Test func removeAndFlushSpans() async throws {
        let cache = try self.makeCache()
        try await cache.remove("p:1")
        try await cache.removeAll()
        let spans = self.tracer.finishedSpans
        #expect(spans.map(\.operationName) == ["cache.remove", "cache.flush"])
        #expect(
            spans[0].attributes == [
                "sentry.op": "cache.remove", "cache.operation": "remove", "cache.key": .stringArray(["products:p:1"]),
                "cache.write": true,
            ])
        #expect(spans[1].attributes == ["sentry.op": "cache.flush", "cache.operation": "remove", "cache.write": true])
    }

    @Test func batchGetIsAHitOnlyWhenEveryKeyIsFound() async throws {
        let cache = try self.makeCache()
        try await cache.putBytes("a", [1])
        try await cache.putBytes("b", [2, 2])
        self.tracer.clearFinishedSpans()
        _ = try await cache.getBytes(["a", "b"])
        _ = try await cache.getBytes(["a", "c"])
        let spans = self.tracer.finishedSpans
        #expect(
            spans[0].attributes == [
                "sentry.op": "cache.get", "cache.operation": "get",
                "cache.key": .stringArray(["products:a", "products:b"]),
                "cache.hit": true, "cache.item_size": 3,
            ]
        )
        #expect(
            spans[1].attributes == [
                "sentry.op": "cache.get", "cache.operation": "get",
                "cache.key": .stringArray(["products:a", "products:c"]),
                "cache.hit": false, "cache.item_size": 1,
            ]
        )
    }

    @Test func keyCaptureOffAndRedactedAreHonoured() async throws {
        try await self.makeCache(keyCapture: .off).putBytes("user:alice@example.com", [1])
        try await self.makeCache(keyCapture: .redacted { _ in "products:user:<redacted>" }).putBytes(
            "user:alice@example.com", [1])
        let spans = self.tracer.finishedSpans
        #expect(spans[0].attributes.get("cache.key") == nil)
        #expect(spans[1].attributes.get("cache.key") == .stringArray(["products:user:<redacted>"]))
        for span in spans {
            #expect(!"\(span.attributes)".contains("alice"))
        }
    }

    @Test func backendFailuresAreRecordedAsErrors() async throws {
        let failing = try ControllableBackend.down(CacheError(.backendUnavailable, "connection refused"))
        let cache = try self.makeCache(backend: failing)
        #expect(try await cache.getBytes("p:1") == nil)  // fail-open: a miss for the caller
        let span = try #require(self.tracer.finishedSpans.first)
        #expect(span.operationName == "cache.get")
        #expect(span.kind == .client)
        #expect(span.status?.code == .error)
        #expect(span.errors.count == 1)
        #expect((span.errors.first?.error as? CacheError)?.code == .backendUnavailable)
        #expect(
            span.attributes == [
                "db.system.name": "test",
                "sentry.op": "cache.get", "cache.operation": "get",
                "cache.key": .stringArray(["products:p:1"]),
                "error.type": "backend_unavailable",
            ]
        )
    }

    @Test func undecodableValueSpanIsAMiss() async throws {
        let cache = try self.makeCache()
        try await cache.putBytes("p:1", Array("{".utf8))
        self.tracer.clearFinishedSpans()
        #expect(try await cache.get("p:1", as: Product.self) == nil)
        let span = try #require(self.tracer.finishedSpans.first)
        #expect(span.attributes.get("cache.hit") == false)
        #expect(span.status == nil)
    }

    @Test func getOrLoadSpansNestUnderTheCallersSpan() async throws {
        let cache = try self.makeCache()
        try await self.tracer.withSpan("GET /products/7") { _ in
            _ = try await cache.getOrLoad(key: "p:7", ttl: .seconds(5)) {
                self.tracer.withSpan("load product") { _ in Product(id: 7, name: "Desk") }
            }
        }
        let spans = self.tracer.finishedSpans
        #expect(spans.map(\.operationName) == ["cache.get", "load product", "cache.put", "GET /products/7"])
        let request = spans[3]
        #expect(spans.dropLast().allSatisfy { $0.parentSpanID == request.spanID && $0.traceID == request.traceID })
        #expect(spans[0].attributes.get("cache.hit") == false)
    }

    @Test func aConfiguredTracerIsUsedWhateverTracerIsInForce() async throws {
        let other = InMemoryTracer()
        let cache = try self.makeCache()
        try await withTracer(other) {
            _ = try await cache.getBytes("scoped")
        }
        #expect(other.finishedSpans.isEmpty)
        #expect(self.tracer.finishedSpans.map { $0.attributes.get("cache.key") } == [.stringArray(["products:scoped"])])
    }

    @Test func byDefaultTheTracerInForceWhenTheCacheIsMadeIsReadOnce() async throws {
        // No tracer in the configuration: the cache takes the tracer in force when it is made (here a `withTracer`
        // scope's, standing in for a bootstrapped one, which a test process cannot undo) and keeps it.
        let observed = try await withTracer(self.tracer) {
            try Cache(namespace: "products", backend: self.backend)
        }
        _ = try await observed.getBytes("after the scope")
        // Made with nothing in force: later scopes do not reach it.
        let unobserved = try Cache(namespace: "products", backend: self.backend)
        let other = InMemoryTracer()
        try await withTracer(other) {
            _ = try await unobserved.getBytes("in a later scope")
        }
        #expect(
            self.tracer.finishedSpans.map { $0.attributes.get("cache.key") } == [
                .stringArray(["products:after the scope"])
            ])
        #expect(other.finishedSpans.isEmpty)
    }

    @Test func perCallResolutionFollowsTheTracerInForceAtEachCall() async throws {
        let cache = try Cache(
            namespace: "products", backend: self.backend, configuration: .init(resolvesTracerPerCall: true))
        _ = try await cache.getBytes("before")
        try await withTracer(self.tracer) {
            _ = try await cache.getBytes("during")
        }
        _ = try await cache.getBytes("after")
        #expect(self.tracer.finishedSpans.map { $0.attributes.get("cache.key") } == [.stringArray(["products:during"])])
    }
}
