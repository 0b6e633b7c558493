import CacheLayer
import CacheLayerTesting
import Testing

@testable import CacheLayerRedis

/// ``TwoTierBackend/Configuration/maximumStaleness``: memory answers only while the invalidation connections have
/// confirmed within the bound that every invalidation sent before has been applied. The invalidation thread is held
/// at a hook right after it read a write's invalidation (as a thread starved of CPU would be), and the bound is
/// passed on a manual clock: no sleeping, no hoping.
@Suite(
    "Two-tier staleness bound", .serialized,
    .enabled(if: RedisTestServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh"))
struct TwoTierStalenessBoundTests {
    static let bound = Duration.milliseconds(100)
    static let old = Array("old".utf8)
    static let new = Array("new".utf8)

    /// A fixture on `clock` whose memory holds `old` for the returned key, and whose invalidation thread has just
    /// read the invalidation of a write of `new` by another client and is held at `gate`, before applying it.
    static func heldInvalidation(
        _ clock: ManualCacheClock, maximumStaleness: Duration?, gate: HookGate
    ) async throws -> (TwoTierFixture, CacheKey) {
        // No heartbeat during the test: the only PINGs are those the reads ask for.
        let fixture = try await TwoTierFixture(
            configuration: .init(maximumStaleness: maximumStaleness, heartbeatInterval: .seconds(3600), clock: clock))
        try await fixture.waitUntilTracking()
        let key = fixture.key("bounded")
        try await fixture.fillFromElsewhere(key, Self.old)
        #expect(fixture.backend.getWithoutSuspending(key) == .some(Self.old), "memory answers")

        fixture.hooks.set { point in
            guard point.connection == InvalidationListener.hookConnectionIndex, case .received = point.event else {
                return .proceed
            }
            return gate.pass()
        }
        try await fixture.writer.set(key, to: Self.new, ttl: .seconds(60))
        try #require(await gate.waitForArrival(), "the invalidation thread did not read the invalidation")
        return (fixture, key)
    }

    @Test func pastTheBoundAStarvedInvalidationThreadCannotMakeAReadReturnTheReplacedValue() async throws {
        let clock = ManualCacheClock()
        let gate = HookGate()
        let (fixture, key) = try await Self.heldInvalidation(clock, maximumStaleness: Self.bound, gate: gate)
        defer { gate.open() }

        // Within the bound, memory still answers with the replaced value: what the bound allows.
        #expect(fixture.backend.getWithoutSuspending(key) == .some(Self.old))
        clock.advance(by: Self.bound + .milliseconds(1))
        // Past it, memory no longer answers, though the invalidation is still not applied: reads go to Redis.
        #expect(fixture.inMemory(key) == Self.old, "the invalidation is still held")
        #expect(fixture.backend.getWithoutSuspending(key) == nil)
        #expect(try await fixture.backend.get(key) == Self.new)
        #expect(try await fixture.backend.get([key]) == [Self.new], "a batch read too")

        // Once the thread runs, it applies the invalidation, then answers the PING the reads asked for: memory
        // answers again, with the new value.
        gate.open()
        let confirmed = await waitUntil(within: .seconds(10)) {
            fixture.backend.sink.gate.isConfirmed(within: Self.bound.nanoseconds, now: clock.now().nanoseconds)
        }
        try #require(confirmed, "no confirmation after the thread was released")
        #expect(fixture.inMemory(key) == nil)
        #expect(try await fixture.backend.get(key) == Self.new)
        #expect(fixture.backend.getWithoutSuspending(key) == .some(Self.new))
        fixture.backend.shutdown()
    }

    /// The same, with no bound: the replaced value stays readable for as long as the thread is held. This is what
    /// the bound is for, and it shows the test above can fail.
    @Test func withoutABoundAStarvedInvalidationThreadLeavesTheReplacedValueReadable() async throws {
        let clock = ManualCacheClock()
        let gate = HookGate()
        let (fixture, key) = try await Self.heldInvalidation(clock, maximumStaleness: nil, gate: gate)
        defer { gate.open() }

        clock.advance(by: .seconds(60))
        #expect(fixture.backend.getWithoutSuspending(key) == .some(Self.old))
        gate.open()
        let applied = await waitUntil(within: .seconds(10)) { fixture.inMemory(key) == nil }
        #expect(applied)
        fixture.backend.shutdown()
    }

    @Test func aBoundBelow100MicrosecondsIsRefused() throws {
        let configuration = TwoTierBackend.Configuration(maximumStaleness: .microseconds(50))
        #expect(throws: CacheError.self) { try configuration.validated() }
    }
}
