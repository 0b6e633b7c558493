import CacheLayer
import Synchronization
import Testing

@testable import CacheLayerRedis

/// Races between callers and a connection's thread, each forced at the exact point it needs by a test hook that
/// holds the thread there, against redis-servers of the tests' own. Throughout, no caller may wait past its
/// command timeout plus slack.
@Suite(
    "Redis connection races", .serialized,
    .enabled(if: RedisTestServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh"))
struct RedisConnectionRaceTests {
    let key = CacheKey(namespace: try! CacheNamespace("races"), key: "k")
    /// What a call may take beyond its timeouts on a loaded 2-core machine.
    let slack = Duration.seconds(1)

    func configuration(
        _ server: RedisServerProcess,
        hooks: @escaping @Sendable (ConnectionTestHooks.Point) -> ConnectionTestHooks.Action
    ) throws -> RedisBackend.Configuration {
        var configuration = try RedisBackend.Configuration(url: server.url)
        configuration.commandTimeout = .milliseconds(100)
        configuration.connectTimeout = .milliseconds(100)
        configuration.testHooks = ConnectionTestHooks(hooks)
        return configuration
    }

    /// A call queued while the first connection is being made, then `shutdown()`, then the connection comes up:
    /// the thread stops, and the call must fail rather than wait forever.
    @Test func shutdownWhileConnectingFailsTheCallQueuedMeanwhile() async throws {
        let server = try RedisServerProcess()
        let gate = HookGate()
        var configuration = try self.configuration(server) { point in
            if case .connected = point.event { return gate.pass() }
            return .proceed
        }
        configuration.connectionCount = 1
        let backend = try RedisBackend(configuration: configuration)
        #expect(await gate.waitForArrival(), "the connection thread never connected")

        let key = self.key
        let call = CallProbe { () throws(CacheError) in try await backend.get(key) }
        #expect(await waitUntil(within: .seconds(5)) { backend.pool.connections[0].queuedRequestCount == 1 })
        backend.shutdown()
        gate.open()

        let outcome = await call.result(
            within: configuration.connectTimeout + configuration.commandTimeout + self.slack)
        let (result, _) = try #require(outcome, "the call queued before shutdown() never came back")
        #expect(throws: CacheError.self) { try result.get() }
        #expect(result.error?.code == .backendUnavailable)
    }

    /// A connection the server closes: its thread waits a backoff before reconnecting (the promised one, here
    /// 200...400 ms), and calls made meanwhile fail at once instead of queueing for the reconnection.
    @Test func droppedConnectionReconnectsAfterABackoffAndRefusesCallsMeanwhile() async throws {
        let server = try RedisServerProcess()
        let log = HookEventLog()
        var configuration = try self.configuration(server) { point in
            log.record(point)
            return .proceed
        }
        configuration.connectionCount = 1
        configuration.reconnection = .init(
            initialBackoff: .milliseconds(400), maximumBackoff: .milliseconds(400), failureThreshold: 100)
        let backend = try RedisBackend(configuration: configuration)
        try await backend.set(self.key, to: [1], ttl: nil)

        // The server closes the connection; the next call finds it closed.
        #expect(try server.raw("CLIENT KILL TYPE normal").hasPrefix(":1"))
        await #expect(throws: CacheError.self) { try await backend.get(self.key) }
        // The thread is now backing off: a call fails at once, it is not held for the reconnection.
        let error = await #expect(throws: CacheError.self) { try await backend.get(self.key) }
        #expect(error?.code == .backendUnavailable)

        // Recovery after the backoff.
        #expect(await waitUntil(within: .seconds(5)) { !backend.pool.connections[0].isRefusing })
        #expect(try await backend.get(self.key) == [1])

        let entries = log.all
        let dropped = try #require(
            entries.firstIndex { if case .dropped = $0.event { true } else { false } }, "no drop recorded")
        let reconnect = try #require(
            entries[dropped...].firstIndex { if case .willConnect = $0.event { true } else { false } },
            "no reconnection recorded")
        let pauses = entries[dropped..<reconnect].compactMap { entry -> UInt64? in
            if case .pausing(let nanoseconds) = entry.event { nanoseconds } else { nil }
        }
        #expect(
            pauses.count == 1 && pauses[0] >= 200_000_000, "pauses between the drop and the reconnection: \(pauses)")
        // The wait itself, measured: at least the lower bound of the jittered backoff.
        #expect(entries[reconnect].nanoseconds - entries[dropped].nanoseconds >= 200_000_000)
    }

    /// The server comes back while one connection is still held in its backoff: the pool sends every call to the
    /// connection that is up, none to the one that would refuse it.
    @Test func poolSkipsAConnectionThatIsBackingOffWhileAnotherIsUp() async throws {
        let server = try RedisServerProcess()
        let gate = HookGate()
        let holdSecond = Atomic<Bool>(false)
        var configuration = try self.configuration(server) { point in
            if case .willConnect = point.event, point.connection == 1, holdSecond.load(ordering: .relaxed) {
                return gate.pass()
            }
            return .proceed
        }
        configuration.connectionCount = 2
        configuration.reconnection = .init(
            initialBackoff: .milliseconds(5), maximumBackoff: .milliseconds(20), failureThreshold: 10_000)
        let backend = try RedisBackend(configuration: configuration)
        defer { gate.open() }
        try await backend.set(self.key, to: [1], ttl: nil)

        server.kill()
        // Calls find both connections closed; both back off and fail to reconnect.
        #expect(await self.driveUntilEveryConnectionRefuses(backend))
        // The second connection is held just before its next attempt, refusing calls as it does while it waits.
        holdSecond.store(true, ordering: .relaxed)
        #expect(await gate.waitForArrival())
        try server.start()
        #expect(
            await waitUntil(within: .seconds(5)) { !backend.pool.connections[0].isRefusing },
            "the first connection did not come back")
        #expect(backend.pool.connections[1].isRefusing)

        let failures = await self.failedWrites(20, on: backend)
        #expect(failures.isEmpty, "\(failures.count) of 20 calls failed, first: \(failures.first ?? "")")
    }

    /// After the breaker opened, the server is back and the breaker's probe connection is up: the other connection
    /// must not keep refusing calls for another cool-down (here 1 s), and the pool must not send calls to it. The
    /// probe is held just before it connects until the other connection has asked the breaker and been told to
    /// wait: the interleaving that leaves it paused.
    @Test func poolServesEveryCallOnceTheBreakersProbeIsUp() async throws {
        let server = try RedisServerProcess()
        let gate = HookGate()
        let log = HookEventLog()
        let holdProbe = Atomic<Bool>(false)
        var configuration = try self.configuration(server) { point in
            log.record(point)
            if case .willConnect = point.event, holdProbe.load(ordering: .relaxed) { return gate.pass() }
            return .proceed
        }
        configuration.connectionCount = 2
        configuration.reconnection = .init(
            initialBackoff: .milliseconds(5), maximumBackoff: .milliseconds(20), failureThreshold: 2,
            coolDown: .seconds(1))
        let backend = try RedisBackend(configuration: configuration)
        defer { gate.open() }
        try await backend.set(self.key, to: [1], ttl: nil)

        server.kill()
        #expect(await self.driveUntilEveryConnectionRefuses(backend))
        #expect(await waitUntil(within: .seconds(5)) { backend.pool.breaker.isOpen })
        try server.start()
        // While the breaker is open, the next connection attempt is its probe.
        holdProbe.store(true, ordering: .relaxed)
        #expect(await gate.waitForArrival())
        let held = log.all.last { if case .willConnect = $0.event { true } else { false } }
        let probe = try #require(held?.connection)
        let heldAt = try #require(held?.nanoseconds)
        let otherAskedTheBreaker = await waitUntil(within: .seconds(5)) {
            log.all.contains { entry in
                guard entry.connection != probe, entry.nanoseconds > heldAt, case .pausing = entry.event else {
                    return false
                }
                return true
            }
        }
        #expect(otherAskedTheBreaker, "the other connection did not ask the breaker while the probe was out")
        gate.open()
        #expect(
            await waitUntil(within: .seconds(5)) { !backend.pool.connections[probe].isRefusing },
            "the probe did not connect")

        let failures = await self.failedWrites(20, on: backend)
        #expect(failures.isEmpty, "\(failures.count) of 20 calls failed, first: \(failures.first ?? "")")
    }

    /// Writes `count` keys one after the other; returns a line per write that failed.
    private func failedWrites(_ count: Int, on backend: RedisBackend) async -> [String] {
        var failures: [String] = []
        for index in 0..<count {
            do {
                try await backend.set(
                    CacheKey(namespace: self.key.namespace, key: "k\(index)"), to: [UInt8(index)], ttl: nil)
            } catch {
                failures.append("call \(index): \(error)")
            }
        }
        return failures
    }

    /// 64 tasks loop on calls that fail at once (their server is gone) and never yield themselves, on a machine
    /// whose cooperative pool may have two threads; meanwhile a call to another server waits for its reply (a
    /// timeout after 100 ms). That call must come back within its timeout plus slack, not when the loops end.
    @Test func callsFailingFastLeaveThreadsForACallThatWaits() async throws {
        // The gone server: its backend's connection refuses calls at once.
        var deadConfiguration = try RedisBackend.Configuration(
            url: "redis://127.0.0.1:\(try RedisServerProcess.freePort())")
        deadConfiguration.connectTimeout = .milliseconds(50)
        deadConfiguration.connectionCount = 1
        deadConfiguration.reconnection = .init(
            initialBackoff: .seconds(10), maximumBackoff: .seconds(10), failureThreshold: 1, coolDown: .seconds(10))
        let dead = try RedisBackend(configuration: deadConfiguration)
        defer { dead.shutdown() }
        #expect(await waitUntil(within: .seconds(5)) { dead.pool.connections.allSatisfy(\.isRefusing) })

        // The paused server: a call to it waits its command timeout.
        let server = try RedisServerProcess()
        let sent = Atomic<Int>(0)
        var configuration = try self.configuration(server) { point in
            if case .flushed = point.event { sent.add(1, ordering: .relaxed) }
            return .proceed
        }
        configuration.connectionCount = 1
        let waiting = try RedisBackend(configuration: configuration)
        defer { waiting.shutdown() }
        try await waiting.set(self.key, to: [1], ttl: nil)
        _ = try server.raw("CLIENT PAUSE 10000 ALL")
        let sentBefore = sent.load(ordering: .relaxed)
        let key = self.key
        let call = CallProbe { () throws(CacheError) in try await waiting.get(key) }
        #expect(
            await waitUntil(within: .seconds(5)) { sent.load(ordering: .relaxed) > sentBefore },
            "the waiting call was not sent")

        // The loops stop when the waiting call is back, after 2,000,000 calls each, or 3 s from now.
        let stopAt = ContinuousClock.now + .seconds(3)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    for _ in 0..<2_000_000 {
                        if call.isFinished || ContinuousClock.now >= stopAt { return }
                        _ = try? await dead.get(key)
                    }
                }
            }
        }
        let outcome = await call.result(within: self.slack)
        let (_, elapsed) = try #require(outcome, "the waiting call did not come back")
        #expect(elapsed < configuration.commandTimeout + self.slack, "the waiting call took \(elapsed)")
    }

    /// Sends calls until every connection of the pool refuses them (after its server was killed).
    private func driveUntilEveryConnectionRefuses(_ backend: RedisBackend) async -> Bool {
        await waitUntil(within: .seconds(5)) {
            backend.pool.connections.allSatisfy(\.isRefusing)
        } drive: {
            _ = try? await backend.get(self.key)
        }
    }
}
