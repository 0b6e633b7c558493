import CacheLayer
import CacheLayerHummingbird
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InMemoryTracing
import Testing
import Tracing

@Suite("Response cache spans")
struct ResponseCacheTracingTests {
    @Test func aMissReadsRequestThenCacheGetThenTheHandlersWorkThenCachePut() async throws {
        let fixture = try ResponseCacheFixture()
        try await withTracer(fixture.tracer) {
            try await fixture.application().test(.router) { client in
                _ = try await client.execute(uri: "/admin/order-items?status=open", method: .get)
            }
        }
        let spans = fixture.tracer.finishedSpans
        let request = try #require(spans.first { $0.operationName == "/admin/order-items" })
        #expect(request.attributes.get("cache.boundary") == "order-items")
        #expect(request.attributes.get("cache.decision") == "cache")
        let children = spans.filter { $0.parentSpanID == request.spanID }
        // In the order they started: the cache read, the handler's work on the miss, the cache write.
        #expect(children.map(\.operationName) == ["cache.get", "load order items", "cache.put"])
        let get = try #require(children.first)
        #expect(get.attributes.get("cache.hit") == false)
        #expect(
            get.attributes.get("cache.key")
                == .stringArray(["responses:http://localhost/admin/order-items?status=open"]))
        let put = try #require(children.last)
        #expect(put.attributes.get("cache.write") == true)
        #expect(spans.allSatisfy { $0.traceID == request.traceID })
    }

    @Test func aHitIsTheRequestAndOneCacheGetThatSaysHowOldTheResponseIs() async throws {
        let fixture = try ResponseCacheFixture()
        try await fixture.application().test(.router) { client in
            _ = try await client.execute(uri: "/admin/order-items", method: .get)
        }
        fixture.tracer.clearFinishedSpans()
        fixture.clock.advance(by: .milliseconds(7_400))
        try await withTracer(fixture.tracer) {
            try await fixture.application().test(.router) { client in
                let response = try await client.execute(uri: "/admin/order-items", method: .get)
                #expect(response.headers[.age] == "7")
            }
        }
        let spans = fixture.tracer.finishedSpans
        let request = try #require(spans.first { $0.operationName == "/admin/order-items" })
        let children = spans.filter { $0.parentSpanID == request.spanID }
        #expect(children.map(\.operationName) == ["cache.get"])
        #expect(children.first?.attributes.get("cache.hit") == true)
        // The stored response's own time, as its Age header: the span and the client agree.
        #expect(children.first?.attributes.get("cache.item_age") == 7)
    }

    @Test func bypassesAndUnstoredResponsesSayWhyOnTheRequestSpan() async throws {
        let fixture = try ResponseCacheFixture(maximumBodySize: 1_024)
        try await withTracer(fixture.tracer) {
            try await fixture.application().test(.router) { client in
                _ = try await client.execute(uri: "/admin/order-items?page=4", method: .get)
                _ = try await client.execute(uri: "/large", method: .get)
            }
        }
        let requests = fixture.tracer.finishedSpans.filter { $0.attributes.get("cache.boundary") != nil }
        let decisions = requests.map {
            text($0.attributes.get("cache.boundary")) + " " + text($0.attributes.get("cache.decision"))
        }
        #expect(decisions.sorted() == ["large too_large", "order-items deep_page"])
    }
}

/// The text of a string attribute.
private func text(_ attribute: SpanAttribute?) -> String {
    if case .string(let value)? = attribute { return value }
    return "-"
}
