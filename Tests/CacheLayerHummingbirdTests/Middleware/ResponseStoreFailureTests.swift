import CacheLayer
import CacheLayerHummingbird
import CacheLayerTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
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
