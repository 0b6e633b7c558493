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
        // Each of the two cached keys ran the handler once; every bypassing request ran it.
        #expect(fixture.runs.count == 2 + 100)
    }

    /// Two servers ("processes") with caches of their own over one backend, the endpoint under a distributed lock.
    func twoServers(onTimeout: LoadPolicy.Lock.TimeoutBehaviour) throws -> (ResponseCacheFixture, ResponseCacheFixture)
    {
        let backend = try MemoryBackend(byteBudget: 8 << 20)
        let lock = LoadPolicy.Lock(
            lease: .seconds(10), maximumWait: .milliseconds(500), retryInterval: .milliseconds(5), onTimeout: onTimeout
        )
        return (
            try ResponseCacheFixture(lock: lock, backend: backend, holdHandlers: true),
            try ResponseCacheFixture(lock: lock, backend: backend, holdHandlers: true)
        )
    }

    @Test func underADistributedLockAnotherServerWaitsForTheResponse() async throws {
        let (first, second) = try self.twoServers(onTimeout: .load)
        try await first.application().test(.router) { firstClient in
            try await second.application().test(.router) { secondClient in
                async let held = firstClient.execute(uri: "/admin/order-items", method: .get)
                for _ in 0..<400 where first.runs.count == 0 { try await Task.sleep(for: .milliseconds(5)) }
                async let waiting = secondClient.execute(uri: "/admin/order-items", method: .get)
                try await Task.sleep(for: .milliseconds(100))
                first.gate.open()
                let (holder, waiter) = try await (held, waiting)
                #expect(holder.cacheStatus == "MISS" && waiter.cacheStatus == "MISS")
                #expect(waiter.text == holder.text)
            }
        }
        #expect(first.runs.count == 1 && second.runs.count == 0)
    }

    @Test func aLockWaitThatGivesUpAnswers503() async throws {
        let (first, second) = try self.twoServers(onTimeout: .fail)
        try await first.application().test(.router) { firstClient in
            try await second.application().test(.router) { secondClient in
                async let held = firstClient.execute(uri: "/admin/order-items", method: .get)
                for _ in 0..<400 where first.runs.count == 0 { try await Task.sleep(for: .milliseconds(5)) }
                let waiter = try await secondClient.execute(uri: "/admin/order-items", method: .get)
                #expect(waiter.status == .serviceUnavailable && waiter.cacheStatus == "MISS")
                first.gate.open()
                #expect(try await held.cacheStatus == "MISS")
            }
        }
        #expect(first.runs.count == 1 && second.runs.count == 0)
    }
}
