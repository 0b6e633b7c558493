import CacheLayerHummingbird
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import CacheLayer

/// The order of requests is forced (by the fixture's gate, and by waiting until each has reached the single-flight
/// or the lock), never by sleeping.
@Suite("Response cache under concurrent requests")
struct ResponseCacheConcurrencyTests {
    /// The key the fixture's cache read first (from its `cache.get` span), if it has read any.
    func firstKeyRead(by fixture: ResponseCacheFixture) -> CacheKey? {
        let prefix = fixture.cache.namespace.name + ":"
        for span in fixture.tracer.finishedSpans where span.operationName == "cache.get" {
            if case .stringArray(let keys)? = span.attributes.get("cache.key"), let key = keys.first,
                key.hasPrefix(prefix)
            {
                return CacheKey(namespace: fixture.cache.namespace, key: String(key.dropFirst(prefix.count)))
            }
        }
        return nil
    }

    /// Waits (bounded) until `count` requests wait on the single-flight of the key the fixture's cache read first.
    func waiters(_ count: Int, in fixture: ResponseCacheFixture) async -> Bool {
        await waitUntil {
            guard let key = self.firstKeyRead(by: fixture), let flight = fixture.cache.core.flights.flight(for: key)
            else { return false }
            return flight.waitersJoined >= count
        }
    }

    @Test func aHundredConcurrentRequestsOnAColdKeyRunTheHandlerOnce() async throws {
        let fixture = try ResponseCacheFixture(holdHandlers: true)
        try await fixture.application().test(.live) { client in
            let port = try #require(client.port)
            // A connection each: HTTP/1.1 answers the requests of one connection one after the other, so over the
            // test's one client they would reach the cache only once the first was answered.
            let responses = try await withThrowingTaskGroup(of: (HTTPResponse, String).self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        try await TestClient.withClient(host: "localhost", port: port) { connection in
                            let response = try await connection.execute(
                                .init("/admin/order-items?status=shipped", method: .get, authority: "localhost"))
                            return (response.head, String(buffer: response.body ?? ByteBuffer()))
                        }
                    }
                }
                // One request runs the handler, held by the gate, until the 99 others wait for it.
                let joined = await self.waiters(99, in: fixture)
                fixture.gate.open()
                #expect(joined, "the other 99 requests did not all wait for the one handler run")
                return try await group.reduce(into: [(HTTPResponse, String)]()) { $0.append($1) }
            }
            #expect(responses.count == 100)
            #expect(responses.allSatisfy { $0.0.status == .ok && $0.1 == "order items page 1, run 1" })
            // The handler's response, and the 99 that waited for it: all misses, none ran the handler again.
            #expect(responses.allSatisfy { $0.0.headerFields[HTTPField.Name("X-Cache")!] == "MISS" })
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
        // Every bypassing request ran the handler, and each of the two cached keys ran it once, or twice when a
        // request missed just before the first load stored its response and looked for that load just after it
        // landed (then it leads a load of its own: the window between a miss and the join; a CI run hit it once).
        #expect((2 + 100...4 + 100).contains(fixture.runs.count), "\(fixture.runs.count) handler runs")
    }

    /// Two servers ("processes") with caches of their own over one backend, the endpoint under a distributed lock.
    func twoServers(
        onTimeout: LoadPolicy.Lock.TimeoutBehaviour, maximumWait: Duration = .milliseconds(500)
    ) throws -> (ResponseCacheFixture, ResponseCacheFixture) {
        let backend = try MemoryBackend(byteBudget: 8 << 20)
        let lock = LoadPolicy.Lock(
            lease: .seconds(30), maximumWait: maximumWait, retryInterval: .milliseconds(5), onTimeout: onTimeout
        )
        return (
            try ResponseCacheFixture(lock: lock, backend: backend, holdHandlers: true),
            try ResponseCacheFixture(lock: lock, backend: backend, holdHandlers: true)
        )
    }

    @Test func underADistributedLockAnotherServerWaitsForTheResponse() async throws {
        // The second server waits far longer than the test holds the first one's handler.
        let (first, second) = try self.twoServers(onTimeout: .load, maximumWait: .seconds(30))
        try await first.application().test(.router) { firstClient in
            try await second.application().test(.router) { secondClient in
                async let held = firstClient.execute(uri: "/admin/order-items", method: .get)
                // The first server holds the lock and runs its handler (held by its gate)...
                #expect(await waitUntil { first.runs.count == 1 }, "the first server did not run its handler")
                async let waiting = secondClient.execute(uri: "/admin/order-items", method: .get)
                // ...while the second one waits for the lock (its lock span is open until it gets the response).
                #expect(
                    await waitUntil { second.tracer.activeSpans.contains { $0.operationName == "cache.lock" } },
                    "the second server did not wait for the lock")
                first.gate.open()
                let holder = try await held
                // Its own handler may go on too: a run of it would show, rather than hang the test.
                second.gate.open()
                let waiter = try await waiting
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
                // The first server holds the lock (its handler held by its gate) before the second one asks.
                #expect(await waitUntil { first.runs.count == 1 }, "the first server did not run its handler")
                let waiter = try await secondClient.execute(uri: "/admin/order-items", method: .get)
                #expect(waiter.status == .serviceUnavailable && waiter.cacheStatus == "MISS")
                first.gate.open()
                #expect(try await held.cacheStatus == "MISS")
            }
        }
        #expect(first.runs.count == 1 && second.runs.count == 0)
    }
}
