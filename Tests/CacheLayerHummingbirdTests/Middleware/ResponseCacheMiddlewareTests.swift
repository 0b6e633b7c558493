import CacheLayer
import CacheLayerHummingbird
import CacheLayerTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Response cache: hits, misses and bypasses")
struct ResponseCacheMiddlewareTests {
    @Test func aCachedPageMissesOnceThenHitsWithItsAge() async throws {
        let fixture = try ResponseCacheFixture()
        try await fixture.application().test(.router) { client in
            let first = try await client.execute(uri: "/admin/order-items?status=open&page=1", method: .get)
            #expect(first.status == .ok && first.cacheStatus == "MISS")
            #expect(first.headers[.age] == nil)
            #expect(first.text == "order items page 1, run 1")

            fixture.clock.advance(by: .seconds(7))
            // Same key: the order of distinct parameter names does not matter (their values do, byte for byte).
            let second = try await client.execute(uri: "/admin/order-items?page=1&status=open", method: .get)
            #expect(second.status == .ok && second.cacheStatus == "HIT")
            #expect(second.headers[.age] == "7")
            #expect(second.text == first.text)
            #expect(second.headers[.contentType] == "text/plain")
            #expect(second.headers[.contentLength] == String(first.body.readableBytes))
        }
        #expect(fixture.runs.count == 1)
    }

    @Test func eachRequestsOutcomeIsCountedInItsBoundarysStatistics() async throws {
        let fixture = try ResponseCacheFixture()
        try await fixture.application().test(.router) { client in
            for uri in [
                "/admin/order-items?status=open", "/admin/order-items?status=open", "/admin/order-items?page=2",
            ] {
                _ = try await client.execute(uri: uri, method: .get)
            }
        }
        let statistics = try #require(fixture.middleware.boundaries.statistics()["order-items"])
        #expect(statistics.decisions == ["cache": 2, "deep_page": 1])
        #expect(statistics.hits == 1 && statistics.misses == 1)
        #expect(statistics.hitLatency.count == 1 && statistics.missLatency.count == 2, "the bypass is timed too")
    }

    @Test func deepPagesUncommonFiltersAndUnknownPathsBypass() async throws {
        let fixture = try ResponseCacheFixture()
        try await fixture.application().test(.router) { client in
            for uri in [
                "/admin/order-items?page=2", "/admin/order-items?status=refunded", "/admin/order-items?debug=1",
            ] {
                for _ in 0..<2 {
                    let response = try await client.execute(uri: uri, method: .get)
                    #expect(response.status == .ok && response.cacheStatus == "BYPASS", "\(uri)")
                }
            }
            let unknown = try await client.execute(uri: "/nowhere", method: .get)
            #expect(unknown.status == .notFound && unknown.cacheStatus == "BYPASS")
        }
        #expect(fixture.runs.count == 6)
        let decisions = { (decision: String) in
            try fixture.metrics.expectCounter(
                "cache.boundary_decisions",
                [("boundary", "order-items"), ("decision", decision)]
            ).totalValue
        }
        #expect(
            try decisions("deep_page") == 2 && decisions("uncommon_filter") == 2 && decisions("unknown_parameter") == 2)
    }

    @Test func otherMethodsBypass() async throws {
        let fixture = try ResponseCacheFixture()
        let router = Router()
        router.add(middleware: fixture.middleware)
        router.post("/admin/order-items") { _, _ in "posted" }
        try await Application(router: router).test(.router) { client in
            let response = try await client.execute(uri: "/admin/order-items", method: .post)
            #expect(response.status == .ok && response.cacheStatus == "BYPASS" && response.text == "posted")
        }
    }

    @Test func headIsServedFromTheGetEntryWithoutABody() async throws {
        let fixture = try ResponseCacheFixture()
        try await fixture.application().test(.router) { client in
            // A cold HEAD runs the handler and stores nothing: it has no body to store.
            let coldHead = try await client.execute(uri: "/admin/order-items", method: .head)
            #expect(coldHead.status == .ok && coldHead.cacheStatus == "MISS" && coldHead.body.readableBytes == 0)
            let get = try await client.execute(uri: "/admin/order-items", method: .get)
            #expect(get.cacheStatus == "MISS")
            let head = try await client.execute(uri: "/admin/order-items", method: .head)
            #expect(head.status == .ok && head.cacheStatus == "HIT" && head.body.readableBytes == 0)
            #expect(head.headers[.contentLength] == String(get.body.readableBytes))
            #expect(head.headers[.contentType] == "text/plain")
        }
        #expect(fixture.runs.count == 2)
        #expect(
            try fixture.metrics.expectCounter(
                "cache.responses_not_stored",
                [("boundary", "order-items"), ("reason", "head")]
            ).totalValue == 1)
    }

    @Test func theFirstRequestPastTheTTLRefreshesTheEntryAndWaitsForIt() async throws {
        let fixture = try ResponseCacheFixture(gracePeriod: .seconds(30))
        try await fixture.application().test(.router) { client in
            #expect(try await client.execute(uri: "/admin/order-items", method: .get).cacheStatus == "MISS")
            fixture.clock.advance(by: .seconds(61))
            // The first request past the TTL claims the refresh and waits for the handler: a MISS with the new body.
            let refreshed = try await client.execute(uri: "/admin/order-items", method: .get)
            #expect(refreshed.cacheStatus == "MISS" && refreshed.text == "order items page 1, run 2")
            let hit = try await client.execute(uri: "/admin/order-items", method: .get)
            #expect(hit.cacheStatus == "HIT" && hit.text == refreshed.text)
        }
    }

    @Test func whileARefreshRunsOtherRequestsGetTheStaleEntry() async throws {
        let fixture = try ResponseCacheFixture(gracePeriod: .seconds(30))
        let held = Gate()
        let router = Router()
        router.add(middleware: fixture.middleware)
        let runs = fixture.runs
        router.get("/admin/order-items") { _, _ -> String in
            runs.increment()
            if runs.count > 1 { await held.wait() }
            return "run \(runs.count)"
        }
        try await Application(router: router).test(.router) { client in
            #expect(try await client.execute(uri: "/admin/order-items", method: .get).cacheStatus == "MISS")
            fixture.clock.advance(by: .seconds(65))
            async let refresh = client.execute(uri: "/admin/order-items", method: .get)
            // The refresh is running (and held) before the next request comes; if it never starts, the gate opens so
            // that the test fails rather than hangs.
            let refreshing = await waitUntil { runs.count == 2 }
            if !refreshing { held.open() }
            try #require(refreshing, "the refresh did not start")
            let stale = try await client.execute(uri: "/admin/order-items", method: .get)
            #expect(stale.cacheStatus == "STALE" && stale.text == "run 1" && stale.headers[.age] == "65")
            held.open()
            let refreshed = try await refresh
            #expect(refreshed.cacheStatus == "MISS" && refreshed.text == "run 2")
        }
    }

    @Test func bytesThatAreNotAStoredResponseAreAMiss() async throws {
        let fixture = try ResponseCacheFixture()
        // Whatever else wrote under the page's key, it is not served.
        try await fixture.cache.putBytes(
            "http://localhost/admin/order-items", Array("not a response".utf8), ttl: .seconds(60))
        try await fixture.application().test(.router) { client in
            let response = try await client.execute(uri: "/admin/order-items", method: .get)
            #expect(response.cacheStatus == "MISS" && response.text == "order items page 1, run 1")
            #expect(try await client.execute(uri: "/admin/order-items", method: .get).cacheStatus == "HIT")
        }
        #expect(try fixture.metrics.expectCounter("cache.decode_failures", [("cache", "responses")]).totalValue == 1)
    }
}
