import CacheLayer
import Synchronization
import Testing

@testable import CacheLayerRedis

/// Faults on servers of the tests' own: killed under load, restarted, paused. Throughout, no call may return
/// another key's value, and calls must come back within the command timeout (plus scheduling slack).
@Suite("Redis backend faults", .serialized, .enabled(if: RedisTestServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh"))
struct RedisFaultTests {
    let namespace = try! CacheNamespace("faults")

    /// Values carry their key, so a mismatched reply is caught.
    func value(_ key: String) -> [UInt8] { Array("\(key)=value".utf8) }

    func configuration(_ server: RedisServerProcess, timeout: Duration = .milliseconds(100)) throws -> RedisBackend.Configuration {
        var configuration = try RedisBackend.Configuration(url: server.url)
        configuration.commandTimeout = timeout
        configuration.connectTimeout = timeout
        return configuration
    }

    struct LoadReport: Sendable {
        var wrongValues: [String] = []
        var slowestCall: Duration = .zero
        var hits = 0
        var misses = 0
    }

    final class StopFlag: Sendable {
        private let flag = Atomic(false)
        var isSet: Bool { self.flag.load(ordering: .relaxed) }
        func set() { self.flag.store(true, ordering: .relaxed) }
    }

    /// Runs `tasks` tasks of gets and puts through a fail-open cache until `stop` is set (bounded by `limit`).
    func load(_ cache: Cache, tasks: Int, stop: StopFlag, limit: Duration = .seconds(20)) async -> LoadReport {
        await withTaskGroup(of: LoadReport.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var report = LoadReport()
                    let clock = ContinuousClock()
                    let end = clock.now + limit
                    var step = 0
                    while !stop.isSet && clock.now < end {
                        step += 1
                        let key = "k\((task * 7 + step) % 64)"
                        let start = clock.now
                        do {
                            if step % 3 == 0 {
                                try await cache.putBytes(key, self.value(key), ttl: .seconds(60))
                            } else if let value = try await cache.getBytes(key) {
                                report.hits += 1
                                if value != self.value(key) { report.wrongValues.append(key) }
                            } else {
                                report.misses += 1
                            }
                        } catch {
                            report.wrongValues.append("unexpected throw: \(error)")
                        }
                        report.slowestCall = max(report.slowestCall, clock.now - start)
                        // While the breaker refuses, calls complete without suspending; a loop of them would
                        // hold a cooperative thread forever. Real request handlers suspend elsewhere; so does this.
                        await Task.yield()
                    }
                    return report
                }
            }
            return await group.reduce(into: LoadReport()) { total, part in
                total.wrongValues += part.wrongValues
                total.slowestCall = max(total.slowestCall, part.slowestCall)
                total.hits += part.hits
                total.misses += part.misses
            }
        }
    }

    @Test func serverKilledUnderLoadThenRestarted() async throws {
        let server = try RedisServerProcess()
        let backend = try RedisBackend(configuration: self.configuration(server))
        let cache = try Cache(namespace: "faults", backend: backend)
        let stop = StopFlag()

        async let report = self.load(cache, tasks: 32, stop: stop)
        try await Task.sleep(for: .milliseconds(300))
        server.kill()
        try await Task.sleep(for: .milliseconds(500))
        try server.start()
        let restarted = ContinuousClock.now
        // Recovery: a write then a read must succeed within 2 s of the server being back.
        var recovered: Duration?
        while ContinuousClock.now - restarted < .seconds(5) {
            let probe = CacheKey(namespace: self.namespace, key: "probe")
            if (try? await backend.set(probe, to: [1], ttl: nil)) != nil, (try? await backend.get(probe)) == [1] {
                recovered = ContinuousClock.now - restarted
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
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
            try await cache.putBytes("k\(index)", self.value("k\(index)"))
        }
        // Pause all clients for 600 ms: calls in flight must time out, and the connections be replaced.
        _ = try server.raw("CLIENT PAUSE 600 ALL")
        // Each task reports "timeout", "ok" or what went wrong.
        let outcomes = await withTaskGroup(of: String.self) { group in
            for index in 0..<64 {
                group.addTask {
                    do throws(CacheError) {
                        let value = try await cache.getBytes("k\(index)")
                        return value == self.value("k\(index)") ? "ok" : "k\(index): wrong value"
                    } catch where error.code == .timeout || error.code == .backendUnavailable {
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
                            if value != self.value(key) {
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
        configuration.reconnection = .init(initialBackoff: .milliseconds(5), maximumBackoff: .milliseconds(20), failureThreshold: 3, coolDown: .milliseconds(300))
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
        let error = await #expect(throws: CacheError.self) { try await backend.get(CacheKey(namespace: self.namespace, key: "k")) }
        #expect(error?.code == .backendUnavailable)
        #expect(ContinuousClock.now - start < .milliseconds(50), "an open breaker answers without touching the network")
        try server.start()
        let back = ContinuousClock.now
        // The restarted server is empty: a successful write is the sign of recovery.
        while ContinuousClock.now - back < .seconds(3) {
            if (try? await backend.set(CacheKey(namespace: self.namespace, key: "k"), to: [1], ttl: nil)) != nil { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(!backend.pool.breaker.isOpen)
        #expect(ContinuousClock.now - back < .seconds(2))
    }
}
