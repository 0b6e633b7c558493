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
        let progress = CacheLoad.Progress()

        async let report = CacheLoad.run(cache, tasks: 32, stop: stop, progress: progress)
        // The load reads stored values before the server dies...
        let hitBeforeKill = await waitUntil(within: .seconds(10)) { progress.hits > 0 }
        server.kill()
        // ...then runs against the dead server (fail-open: misses), which stays down for at least 500 ms (the
        // outage is the scenario; no assertion needs it to last exactly that).
        let missesAtKill = progress.misses
        try await Task.sleep(for: .milliseconds(500))
        // More misses than the 32 calls that may have been answered before the kill and counted after it.
        let missedWhileDown = await waitUntil(within: .seconds(10)) { progress.misses >= missesAtKill + 64 }
        try server.start()
        let restarted = ContinuousClock.now
        // Recovery: a write then a read must succeed within 2 s of the server being back.
        let recovered = await CacheLoad.timeToRecover(
            backend, probe: CacheKey(namespace: self.namespace, key: "probe"), since: restarted, within: .seconds(5))
        // ...and reads stored values from the restarted server again.
        let hitsAtRecovery = progress.hits
        let hitAfterRestart = await waitUntil(within: .seconds(10)) { progress.hits > hitsAtRecovery }
        stop.set()
        let result = await report

        #expect(hitBeforeKill, "the load read no stored value before the kill")
        #expect(missedWhileDown, "the load made no calls while the server was down")
        #expect(hitAfterRestart, "the load read no stored value from the restarted server")
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
        // Stop the server until the test resumes it: calls in flight must time out, and the connections be
        // replaced. (A stopped process, not CLIENT PAUSE: that one lasts a set time, and a loaded machine could let
        // it end before the calls were made; a paused server answers no command, CLIENT UNPAUSE included.)
        server.pause()
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
        server.resume()
        let wrongDuringPause = outcomes.filter { $0 != "ok" && $0 != "timeout" }
        #expect(wrongDuringPause.isEmpty, "\(wrongDuringPause.prefix(5))")
        // Nothing can answer while the server is stopped: every call timed out.
        #expect(outcomes.allSatisfy { $0 == "timeout" }, "the pause should have timed every call out")
        // The server answers again (it ran, and answered, the commands the timed-out calls had sent), and every
        // connection has been replaced: none refuses calls any more, and the breaker is closed.
        #expect(
            await waitUntil(within: .seconds(10)) { (try? server.raw("PING"))?.hasPrefix("+PONG") == true },
            "the server did not answer after it was resumed")
        #expect(
            await waitUntil(within: .seconds(10)) {
                !backend.pool.breaker.isOpen && backend.pool.connections.allSatisfy { !$0.isRefusing }
            },
            "the connections were not replaced after the pause")

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
