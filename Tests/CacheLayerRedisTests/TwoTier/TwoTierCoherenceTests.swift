import CacheLayer
import CacheLayerTesting
import Testing

@testable import CacheLayerRedis

/// The two-tier backend's coherence hazards on the test command's redis-server, each interleaving forced with
/// hooks (a data connection held after it wrote a read, the invalidation connection held before it reconnects).
@Suite(
    "Two-tier coherence", .serialized,
    .enabled(if: RedisTestServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh"))
struct TwoTierCoherenceTests {
    @Test func aReadFillsMemoryAndAnotherClientsWriteEvictsIt() async throws {
        let fixture = try await TwoTierFixture()
        try await fixture.waitUntilTracking()
        let key = fixture.key("product:1")
        try await fixture.writeElsewhere(key, Array("v1".utf8))

        #expect(try await fixture.backend.get(key) == Array("v1".utf8))
        #expect(fixture.inMemory(key) == Array("v1".utf8))
        #expect(fixture.backend.getWithoutSuspending(key) == .some(Array("v1".utf8)))

        try await fixture.writeElsewhere(key, Array("v2".utf8))
        #expect(fixture.inMemory(key) == nil)
        #expect(try await fixture.backend.get(key) == Array("v2".utf8))
    }

    @Test func anInvalidationThatArrivesBeforeTheReplyStopsTheFill() async throws {
        let fixture = try await TwoTierFixture()
        try await fixture.waitUntilTracking()
        try await fixture.loadScript()
        let key = fixture.key("raced")
        try await fixture.writeElsewhere(key, Array("v1".utf8))

        // The read is served v1 by the server, then held before its reply is read.
        let gate = HookGate()
        fixture.hooks.holdRead(at: gate)
        let read = Task { try await fixture.backend.get(key) }
        #expect(await gate.waitForArrival())
        // Meanwhile another client writes v2, and its invalidation arrives first.
        try await fixture.writeElsewhere(key, Array("v2".utf8))
        gate.open()

        #expect(try await read.value == Array("v1".utf8), "the reply the server sent before the write")
        #expect(fixture.inMemory(key) == nil, "the overtaken reply must not be stored")
        fixture.hooks.set(nil)
        #expect(try await fixture.backend.get(key) == Array("v2".utf8))
    }

    @Test(arguments: ["remove", "write"])
    func aLocalChangeWhileAReadIsInFlightWins(change: String) async throws {
        let fixture = try await TwoTierFixture()
        try await fixture.waitUntilTracking()
        try await fixture.loadScript()
        let key = fixture.key("changed-here")
        try await fixture.writeElsewhere(key, Array("v1".utf8))

        let gate = HookGate()
        fixture.hooks.holdRead(at: gate)
        let read = Task { try await fixture.backend.get(key) }
        #expect(await gate.waitForArrival())
        // The change goes out on the other connection (calls alternate) and completes while the read is held.
        if change == "remove" {
            #expect(try await fixture.backend.delete(key))
        } else {
            try await fixture.backend.set(key, to: Array("v2".utf8), ttl: .seconds(60))
        }
        gate.open()

        #expect(try await read.value == Array("v1".utf8))
        #expect(fixture.inMemory(key) == nil, "the read that began before the \(change) must not store v1")
        fixture.hooks.set(nil)
        #expect(try await fixture.backend.get(key) == (change == "remove" ? nil : Array("v2".utf8)))
    }

    @Test func aKilledInvalidationConnectionStopsMemoryUntilTrackingIsArmedAgain() async throws {
        let fixture = try await TwoTierFixture()
        try await fixture.waitUntilTracking()
        let key = fixture.key("while-deaf")
        try await fixture.fillFromElsewhere(key, Array("v1".utf8))

        // Kill the invalidation connection and hold its reconnection: no invalidation can arrive now.
        let gate = try await fixture.deafen()
        #expect(!fixture.backend.isTracking)

        // Another client writes v2; its invalidation is lost with the connection.
        try await fixture.writer.set(key, to: Array("v2".utf8), ttl: .seconds(60))
        #expect(try await fixture.backend.get(key) == Array("v2".utf8), "memory must not answer while deaf")
        #expect(fixture.backend.getWithoutSuspending(key) == nil)

        gate.open()
        try await fixture.waitUntilTracking()
        #expect(fixture.inMemory(key) == nil, "re-arming flushes what memory held")
        #expect(try await fixture.backend.get(key) == Array("v2".utf8))
        #expect(fixture.inMemory(key) == Array("v2".utf8))
    }

    @Test func killedDataConnectionsLoseNoInvalidation() async throws {
        let fixture = try await TwoTierFixture()
        try await fixture.waitUntilTracking()
        let key = fixture.key("data-killed")
        try await fixture.writeElsewhere(key, Array("v1".utf8))
        #expect(try await fixture.backend.get(key) == Array("v1".utf8))
        let listener = try fixture.listenerID()

        // Every normal (data) connection of the server dies; the invalidation connection is a pub/sub one.
        _ = try? await fixture.writer.command("CLIENT", "KILL", "TYPE", "normal")
        #expect(fixture.backend.isTracking)
        #expect(try fixture.listenerID() == listener)
        var written = false
        for _ in 0..<50 where !written {
            written = (try? await fixture.writeElsewhere(key, Array("v2".utf8))) != nil
        }
        #expect(fixture.inMemory(key) == nil)
        #expect(try await fixture.readEventually(key) == Array("v2".utf8))
    }

    @Test func aValueTooLargeForMemoryStaysInRedis() async throws {
        let fixture = try await TwoTierFixture(configuration: .init(maximumMemoryValueSize: 100))
        try await fixture.waitUntilTracking()
        let small = fixture.key("small")
        let large = fixture.key("large")
        try await fixture.writeHere(small, [UInt8](repeating: 1, count: 10))
        try await fixture.writeHere(large, [UInt8](repeating: 2, count: 1000))
        #expect(try await fixture.backend.get(small)?.count == 10)
        #expect(try await fixture.backend.get(large)?.count == 1000)
        #expect(fixture.inMemory(small) != nil)
        #expect(fixture.inMemory(large) == nil)
    }

    @Test func aFillNeverOutlivesTheEntryInRedis() async throws {
        let clock = ManualCacheClock()
        let memory = try MemoryBackend(configuration: .init(byteBudget: 1 << 20, clock: clock))
        let fixture = try await TwoTierFixture(configuration: .init(localTTL: .seconds(60)), memory: memory)
        try await fixture.waitUntilTracking()
        let short = fixture.key("short")
        try await fixture.writeElsewhere(short, [1], ttl: .seconds(5))
        #expect(try await fixture.backend.get(short) == [1])
        #expect(fixture.inMemory(short) == [1])
        clock.advance(by: .seconds(5) + .milliseconds(1))
        #expect(fixture.inMemory(short) == nil, "kept in memory past its expiry in Redis")
    }

    @Test func aBatchReadFillsMemoryButNotWithAnOvertakenReply() async throws {
        let fixture = try await TwoTierFixture()
        try await fixture.waitUntilTracking()
        try await fixture.loadScript()
        let (kept, overtaken, missing) = (
            fixture.key("batch:kept"), fixture.key("batch:raced"), fixture.key("batch:no")
        )
        try await fixture.writeElsewhere(kept, Array("a1".utf8))
        try await fixture.writeElsewhere(overtaken, Array("b1".utf8))

        // The batch is served by the server, then held before its reply is read, while another client writes.
        let gate = HookGate()
        fixture.hooks.holdRead(at: gate)
        let read = Task { try await fixture.backend.get([kept, overtaken, missing]) }
        #expect(await gate.waitForArrival())
        try await fixture.writeElsewhere(overtaken, Array("b2".utf8))
        gate.open()

        #expect(try await read.value == [Array("a1".utf8), Array("b1".utf8), nil])
        #expect(fixture.inMemory(kept) == Array("a1".utf8), "a batch read fills memory")
        #expect(fixture.inMemory(overtaken) == nil, "the overtaken reply must not be stored")
        #expect(fixture.inMemory(missing) == nil)
        fixture.hooks.set(nil)
        #expect(try await fixture.backend.get([kept, overtaken]) == [Array("a1".utf8), Array("b2".utf8)])
    }

    @Test func aBatchFillNeverOutlivesTheEntryInRedis() async throws {
        let clock = ManualCacheClock()
        let memory = try MemoryBackend(configuration: .init(byteBudget: 1 << 20, clock: clock))
        let fixture = try await TwoTierFixture(configuration: .init(localTTL: .seconds(60)), memory: memory)
        try await fixture.waitUntilTracking()
        let (short, long) = (fixture.key("batch:short"), fixture.key("batch:long"))
        try await fixture.writeElsewhere(short, [1], ttl: .seconds(5))
        try await fixture.writeElsewhere(long, [2], ttl: .seconds(600))
        #expect(try await fixture.backend.get([short, long]) == [[1], [2]])
        clock.advance(by: .seconds(5) + .milliseconds(1))
        #expect(fixture.inMemory(short) == nil, "kept in memory past its expiry in Redis")
        #expect(fixture.inMemory(long) == [2])
        clock.advance(by: .seconds(55))
        #expect(fixture.inMemory(long) == nil, "kept in memory past the local TTL")
    }

    @Test func writesGoToRedisFirstThenLeaveMemory() async throws {
        let fixture = try await TwoTierFixture()
        try await fixture.waitUntilTracking()
        let key = fixture.key("written")
        try await fixture.writeHere(key, [1])
        #expect(try await fixture.writer.get(key) == [1])
        #expect(try await fixture.backend.get(key) == [1])
        #expect(fixture.inMemory(key) == [1])
        try await fixture.backend.set(key, to: [2], ttl: .seconds(60))
        #expect(fixture.inMemory(key) == nil)
        #expect(try await fixture.backend.get(key) == [2])
        #expect(try await fixture.backend.delete(key))
        #expect(try await fixture.backend.get(key) == nil)
        try await fixture.writeHere(key, [3])
        _ = try await fixture.backend.get(key)
        #expect(fixture.inMemory(key) == [3])
        try await fixture.backend.deleteAll(in: fixture.namespace)
        #expect(fixture.inMemory(key) == nil)
        #expect(try await fixture.writer.get(key) == nil)
    }
}

extension TwoTierCoherenceTests {
    /// A memory tier that already holds entries when a two-tier backend is made over it (here: one that an earlier
    /// backend filled, then shut down) is emptied when tracking is armed, whatever namespaces they are in: the new
    /// backend's invalidations would never name those it has not noted.
    @Test func aMemoryTierThatAlreadyHoldsEntriesIsEmptiedWhenTrackingIsArmed() async throws {
        let memory = try MemoryBackend(byteBudget: 1 << 20)
        let first = try await TwoTierFixture(memory: memory)
        try await first.waitUntilTracking()
        let key = first.key("reused")
        try await first.writeElsewhere(key, Array("v1".utf8))
        #expect(try await first.backend.get(key) == Array("v1".utf8))
        #expect(first.inMemory(key) == Array("v1".utf8))
        first.backend.shutdown()

        // A new backend over the same memory and the same keys; meanwhile the value changed.
        let prefix = first.writer.configuration.keyPrefix
        try await first.writer.set(key, to: Array("v2".utf8), ttl: .seconds(60))
        let second = try TwoTierBackend(memory: memory, redis: try RedisBackendFixture.backend(prefix: prefix))
        defer { second.shutdown() }
        try #require(await waitUntil(within: .seconds(10)) { second.isTracking })
        #expect(try await second.get(key) == Array("v2".utf8), "arming served what memory held from before")

        // Even an invalidation that arrives now does not evict it: its namespace was never noted.
        let before = second.sink.keysReceived.load(ordering: .acquiring)
        try await first.writer.set(key, to: Array("v3".utf8), ttl: .seconds(60))
        try #require(
            await waitUntil(within: .seconds(10)) { second.sink.keysReceived.load(ordering: .acquiring) > before })
        #expect(try await second.get(key) == Array("v3".utf8), "an invalidation of the key left it in memory")
    }
}
