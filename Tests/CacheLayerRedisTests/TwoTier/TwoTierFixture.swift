import CacheLayer
import Synchronization
import Testing

@testable import CacheLayerRedis

/// Two-tier backends on a real redis-server for the coherence tests: the backend under test, a plain Redis
/// backend on the same keys (another process, as far as tracking is concerned), and hooks a test can set after
/// the fact.
struct TwoTierFixture {
    let backend: TwoTierBackend
    /// Another client of the same server and key prefix: its writes reach the two-tier backend only as
    /// invalidations.
    let writer: RedisBackend
    let hooks: HookSwitch
    let namespace = try! CacheNamespace("tiers")

    init(
        url: String? = nil,
        configuration: TwoTierBackend.Configuration = .init(),
        memory: MemoryBackend? = nil
    ) async throws {
        let hooks = HookSwitch()
        var redisConfiguration = try RedisBackendFixture.configuration(url: url)
        redisConfiguration.testHooks = ConnectionTestHooks { hooks.handle($0) }
        self.hooks = hooks
        self.backend = try TwoTierBackend(
            memory: try memory ?? MemoryBackend(byteBudget: 1 << 20),
            redis: try RedisBackend(configuration: redisConfiguration),
            configuration: configuration
        )
        self.writer = try RedisBackendFixture.backend(url: url, prefix: redisConfiguration.keyPrefix)
    }

    func key(_ name: String) -> CacheKey {
        CacheKey(namespace: self.namespace, key: name)
    }

    /// Waits until every invalidation connection is armed.
    func waitUntilTracking() async throws {
        let armed = await waitUntil(within: .seconds(10)) { self.backend.isTracking }
        try #require(armed, "tracking was not armed within 10 s")
    }

    /// What the memory tier holds for `key` (without going to Redis).
    func inMemory(_ key: CacheKey) -> [UInt8]? {
        self.backend.memory.getWithoutSuspending(key) ?? nil
    }

    /// Writes through the other client and waits until the backend has received the invalidation.
    func writeElsewhere(_ key: CacheKey, _ value: [UInt8], ttl: Duration = .seconds(60)) async throws {
        try await self.settled { try await self.writer.set(key, to: value, ttl: ttl) }
    }

    /// Writes through the backend under test and waits until its own invalidation has come back.
    func writeHere(_ key: CacheKey, _ value: [UInt8]) async throws {
        try await self.settled { try await self.backend.set(key, to: value, ttl: .seconds(60)) }
    }

    /// Runs a write and waits until the backend has applied its invalidation, and every one sent before it: a read
    /// that begins before one arrives is answered but not stored (the invalidation could be of a later write), so
    /// tests that expect a fill wait for them. Counting invalidations is not enough: one of an earlier write may
    /// still be on its way. The barrier is two answered `PING`s: at most one is unanswered at a time, so the second
    /// was sent after the write returned, and Redis sent the write's invalidation before its reply.
    func settled(_ write: () async throws -> Void) async throws {
        try await write()
        let before = self.backend.sink.confirmations.load(ordering: .acquiring)
        let applied = await waitUntil(within: .seconds(10)) {
            self.backend.tracking.listeners.forEach { $0.requestConfirmation() }
            return self.backend.sink.confirmations.load(ordering: .acquiring) >= before + 2
        }
        try #require(applied, "the invalidation connection confirmed nothing within 10 s")
    }

    /// Reads `key` through the backend, trying again while its data connections reconnect.
    func readEventually(_ key: CacheKey) async throws -> [UInt8]? {
        for _ in 0..<50 {
            if let value = try? await self.backend.get(key) { return value }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await self.backend.get(key)
    }

    /// Writes `value` through the other client, then reads it through the backend, which keeps it in memory.
    func fillFromElsewhere(_ key: CacheKey, _ value: [UInt8]) async throws {
        try await self.writeElsewhere(key, value)
        #expect(try await self.backend.get(key) == value)
        #expect(self.inMemory(key) == value)
    }

    /// Kills the invalidation connection and holds its reconnection at the returned gate: no invalidation can
    /// arrive until the gate opens.
    func deafen() async throws -> HookGate {
        let gate = HookGate()
        self.hooks.holdReconnect(at: gate)
        _ = try await self.writer.command("CLIENT", "KILL", "ID", String(try self.listenerID()))
        #expect(await gate.waitForArrival())
        return gate
    }

    /// The server's id of the (single) invalidation connection.
    func listenerID() throws -> Int64 {
        try #require(self.backend.tracking.listeners.first?.clientID, "no armed invalidation connection")
    }

    /// Loads the GET+PTTL script, so reads send one EVALSHA (what the hooks wait for).
    func loadScript() async throws {
        _ = try await self.writer.command("SCRIPT", "LOAD", ValuesWithExpiry.script.source)
    }
}

/// Connection hooks that a test sets and clears while the backend runs.
final class HookSwitch: Sendable {
    private let current = Mutex<(@Sendable (ConnectionTestHooks.Point) -> ConnectionTestHooks.Action)?>(nil)

    func set(_ handler: (@Sendable (ConnectionTestHooks.Point) -> ConnectionTestHooks.Action)?) {
        self.current.withLock { $0 = handler }
    }

    func handle(_ point: ConnectionTestHooks.Point) -> ConnectionTestHooks.Action {
        guard let handler = self.current.withLock({ $0 }) else { return .proceed }
        return handler(point)
    }

    /// Holds the first data connection that has written a read of a value (EVALSHA) at `gate`.
    func holdRead(at gate: HookGate) {
        self.set { point in
            guard point.connection >= 0, case .flushed(let commands) = point.event,
                commands.contains(where: { $0.name == "EVALSHA" })
            else { return .proceed }
            return gate.pass()
        }
    }

    /// Holds the invalidation connection's next connection attempt at `gate`.
    func holdReconnect(at gate: HookGate) {
        self.set { point in
            guard point.connection == InvalidationListener.hookConnectionIndex, case .willConnect = point.event else {
                return .proceed
            }
            return gate.pass()
        }
    }
}
