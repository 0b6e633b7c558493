import CacheLayer
import Synchronization
import Testing

@testable import CacheLayerRedis

/// Faults on servers of the tests' own: killed under load, restarted, paused. Throughout, no call may return
/// another key's value, and calls must come back within the command timeout (plus scheduling slack).
@Suite(
    "Redis backend faults", .serialized,
    .enabled(if: RedisTestServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh"))
struct RedisFaultTests {
    let namespace = try! CacheNamespace("faults")

    func configuration(
        _ server: RedisServerProcess, timeout: Duration = .milliseconds(100)
    ) throws -> RedisBackend.Configuration {
        var configuration = try RedisBackend.Configuration(url: server.url)
        configuration.commandTimeout = timeout
        configuration.connectTimeout = timeout
        return configuration
    }

    @Test func serverKilledUnderLoadThenRestarted() async throws {
        let server = try RedisServerProcess()
        let backend = try RedisBackend(configuration: self.configuration(server))
        let cache = try Cache(namespace: "faults", backend: backend)
        let stop = CacheLoad.StopFlag()

        async let report = CacheLoad.run(cache, tasks: 32, stop: stop)
        try await Task.sleep(for: .milliseconds(300))
        server.kill()
        try await Task.sleep(for: .milliseconds(500))
        try server.start()
        let restarted = ContinuousClock.now
        // Recovery: a write then a read must succeed within 2 s of the server being back.
        let recovered = await CacheLoad.timeToRecover(
            backend, probe: CacheKey(namespace: self.namespace, key: "probe"), since: restarted, within: .seconds(5))
        try await Task.sleep(for: .milliseconds(300))
        stop.set()
        let result = await report

        #expect(result.wrongValues.isEmpty, "\(result.wrongValues.prefix(5))")
        let recoveryTime = try #require(recovered, "the backend did not recover within 5 s")
        #expect(recoveryTime < .seconds(2))
        // Fail-open calls return within the command timeout plus slack for a loaded 2-core machine.
        #expect(result.slowestCall < .milliseconds(100 + 400), "slowest call: \(result.slowestCall)")
        #expect(result.hits > 0 && result.misses > 0)
    }

    @Test func pausedServerTimesOutThenEveryReplyStillMatches() async throws {
        let server = try RedisServerProcess()
        let backend = try RedisBackend(configuration: self.configuration(server))
        let cache = try Cache(namespace: "faults", backend: backend, configuration: .init(failOpen: false))
        for index in 0..<64 {
            try await cache.putBytes("k\(index)", CacheLoad.value("k\(index)"))
        }
        // Pause all clients for 600 ms: calls in flight must time out, and the connections be replaced.
        _ = try server.raw("CLIENT PAUSE 600 ALL")
        // Each task reports "timeout", "ok" or what went wrong.
        let outcomes = await withTaskGroup(of: String.self) { group in
            for index in 0..<64 {
                group.addTask {
                    do throws(CacheError) {
                        let value = try await cache.getBytes("k\(index)")
                        return value == CacheLoad.value("k\(index)") ? "ok" : "k\(index): wrong value"
                    } catch  where error.code == .timeout || error.code == .backendUnavailable {
                        return "timeout"
                    } catch {
                        return "k\(index): \(error)"
                    }
                }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        let wrongDuringPause = outcomes.filter { $0 != "ok" && $0 != "timeout" }
        #expect(wrongDuringPause.isEmpty, "\(wrongDuringPause.prefix(5))")
        #expect(outcomes.contains("timeout"), "the pause should have timed calls out")
        try await Task.sleep(for: .milliseconds(700))

        // After the pause: thousands of reads, each must get its own key's value.
        let wrongAfter = await withTaskGroup(of: [String].self) { group in
            for task in 0..<32 {
                group.addTask {
                    var wrong: [String] = []
                    for step in 0..<200 {
                        let key = "k\((task + step) % 64)"
                        do {
                            let value = try await cache.getBytes(key)
                            if value != CacheLoad.value(key) {
                                wrong.append("\(key): \(value.map { String(decoding: $0, as: UTF8.self) } ?? "nil")")
                            }
                        } catch {
                            wrong.append("\(key): \(error)")
                        }
                    }
                    return wrong
                }
            }
            return await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(wrongAfter.isEmpty, "\(wrongAfter.prefix(5))")
    }

    @Test func breakerFailsFastWhileTheServerIsDown() async throws {
        let server = try RedisServerProcess()
        var configuration = try self.configuration(server)
        configuration.reconnection = .init(
            initialBackoff: .milliseconds(5), maximumBackoff: .milliseconds(20), failureThreshold: 3,
            coolDown: .milliseconds(300))
        let backend = try RedisBackend(configuration: configuration)
        try await backend.set(CacheKey(namespace: self.namespace, key: "k"), to: [1], ttl: nil)
        server.kill()
        // Drive failures until the breaker opens.
        let deadline = ContinuousClock.now + .seconds(3)
        while !backend.pool.breaker.isOpen && ContinuousClock.now < deadline {
            _ = try? await backend.get(CacheKey(namespace: self.namespace, key: "k"))
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(backend.pool.breaker.isOpen)
        let start = ContinuousClock.now
        let error = await #expect(throws: CacheError.self) {
            try await backend.get(CacheKey(namespace: self.namespace, key: "k"))
        }
        #expect(error?.code == .backendUnavailable)
        #expect(ContinuousClock.now - start < .milliseconds(50), "an open breaker answers without touching the network")
        try server.start()
        let back = ContinuousClock.now
        // The restarted server is empty: a successful write is the sign of recovery.
        while ContinuousClock.now - back < .seconds(3) {
            if (try? await backend.set(CacheKey(namespace: self.namespace, key: "k"), to: [1], ttl: nil)) != nil {
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(!backend.pool.breaker.isOpen)
        #expect(ContinuousClock.now - back < .seconds(2))
    }
}
