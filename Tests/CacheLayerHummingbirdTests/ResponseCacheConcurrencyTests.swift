import CacheLayer
import CacheLayerHummingbird
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Response cache under concurrent requests")
struct ResponseCacheConcurrencyTests {
    @Test func aHundredConcurrentRequestsOnAColdKeyRunTheHandlerOnce() async throws {
        let fixture = try ResponseCacheFixture(holdHandlers: true)
        try await fixture.application().test(.live) { client in
            let responses = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for _ in 0..<100 {
                    group.addTask { try await client.execute(uri: "/admin/order-items?status=shipped", method: .get) }
                }
                // Let the requests reach the cache (one runs the handler, held by the gate; the rest wait for it).
                try await Task.sleep(for: .milliseconds(300))
                fixture.gate.open()
                return try await group.reduce(into: [TestResponse]()) { $0.append($1) }
            }
            #expect(responses.count == 100)
            #expect(responses.allSatisfy { $0.status == .ok && $0.text == "order items page 1, run 1" })
            // Requests that arrived after the store are hits; none ran the handler again.
            #expect(responses.allSatisfy { $0.cacheStatus == "MISS" || $0.cacheStatus == "HIT" })
        }
        #expect(fixture.runs.count == 1)
    }

    @Test func concurrentRequestsForDifferentPagesNeverGetEachOthersResponse() async throws {
        let fixture = try ResponseCacheFixture()
        try await fixture.application().test(.router) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<200 {
                    // Page 1 of two filters (cached) and deep pages (bypassing), interleaved.
                    let (uri, expected): (String, String) =
                        switch index % 4 {
                        case 0: ("/admin/order-items?status=open", "order items page 1")
                        case 1: ("/admin/order-items?status=shipped", "order items page 1")
                        case 2: ("/admin/order-items?page=2", "order items page 2")
                        default: ("/admin/order-items?page=3&status=open", "order items page 3")
                        }
                    group.addTask {
                        let response = try await client.execute(uri: uri, method: .get)
                        #expect(response.text.hasPrefix(expected + ","), "\(uri) got \(response.text)")
                    }
                }
                try await group.waitForAll()
            }
        }
        // Two cached keys ran once each at most... plus every bypassing request.
        #expect(fixture.runs.count == 2 + 100)
    }
}
