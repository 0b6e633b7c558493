import CacheLayerTestSupport
import InMemoryLogging
import InMemoryTracing
import Logging
import MetricsTestKit
import Testing
import Tracing

@testable import CacheLayer
import CacheLayerTesting

/// Stale if error: a value kept past its TTL for `maximumStaleAge` answers callers whose load throws, with one
/// manual clock driving the backend's expiry and read-through freshness.
@Suite("Stale if error")
struct StaleIfErrorTests {
    struct OriginDown: Error {}

    let clock = ManualCacheClock(start: .seconds(1_000))
    let metrics = TestMetrics()
    let tracer = InMemoryTracer()
    let logs = InMemoryLogHandler()
    let policy = LoadPolicy(maximumStaleAge: .seconds(60), failSafeThrottle: .seconds(5))
    let bytes = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })

    func makeCache(policy: LoadPolicy? = nil, keyCapture: KeyCapture = .full) throws -> Cache {
        let backend = try MemoryBackend(configuration: .init(byteBudget: 8 << 20, clock: self.clock))
        var logger = Logger(label: "test", factory: { _ in self.logs })
        logger.logLevel = .warning
        return try Cache(
            namespace: "fail-safe",
            backend: backend,
            configuration: .init(
                keyCapture: keyCapture,
                loadPolicy: policy ?? self.policy,
                freshnessClock: self.clock,
                tracer: self.tracer,
                metricsFactory: self.metrics,
                logger: logger
            )
        )
    }

    func counter(_ label: String) -> Int64 {
        (try? self.metrics.expectCounter(label, [("cache", "fail-safe")]).totalValue) ?? 0
    }

    /// The attributes of the last `cache.get` span recorded.
    func lastGet() throws -> SpanAttributes {
        try #require(self.tracer.finishedSpans.last { $0.operationName == "cache.get" }).attributes
    }

    @Test func aLoaderThatThrowsPastTheTTLGetsTheStaleValue() async throws {
        let cache = try self.makeCache()
        _ = try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { 1 }
        // Long past the TTL: the backend holds the entry for the TTL plus the maximum stale age.
        self.clock.advance(by: .seconds(50))
        let value = try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { () async throws -> Int in
            throw OriginDown()
        }
        #expect(value == 1)
        #expect(self.counter("cache.stale_if_error_serves") == 1)
        let last = try self.lastGet()
        #expect(last.get("cache.hit") == true && last.get("cache.stale") == true)
        let warning = try #require(self.logs.entries.first { $0.level == .warning })
        #expect(warning.message.description == "load failed; serving the stale value")
        #expect(warning.metadata["cache.key"] == "fail-safe:report")
        #expect("\(warning.metadata["error.message"] ?? "")".contains("OriginDown"))
    }

    @Test func aPlainReadOfAValueKeptPastItsTTLIsAMiss() async throws {
        let cache = try self.makeCache()
        _ = try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { 1 }
        self.clock.advance(by: .seconds(9))
        #expect(try await cache.get("report", as: Int.self) == 1)
        self.clock.advance(by: .seconds(1))
        // Kept for stale-if-error, which only a read-through serves: plain reads load nothing, so they miss.
        #expect(try await cache.get("report", as: Int.self) == nil)
        #expect(try await cache.getBytes("report") == nil)
        #expect(try await cache.getBytes(["report"]) == [nil])
        let value = try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { () async throws -> Int in
            throw OriginDown()
        }
        #expect(value == 1, "the read-through still serves it stale")
    }

    @Test func aSuccessfulLoadOfAnExpiredValueIsAMiss() async throws {
        let cache = try self.makeCache()
        _ = try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { 1 }
        self.clock.advance(by: .seconds(11))
        #expect(try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { 2 } == 2)
        let last = try self.lastGet()
        #expect(last.get("cache.hit") == false && last.get("cache.stale") == nil)
        #expect(self.counter("cache.stale_if_error_serves") == 0)
    }

    @Test func theKeyIsNotLoadedAgainUntilTheThrottleEnds() async throws {
        let cache = try self.makeCache()
        let loads = LoadCounter()
        _ = try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { 1 }
        self.clock.advance(by: .seconds(11))
        let failing: @Sendable () async throws -> Int = {
            loads.increment()
            throw OriginDown()
        }
        #expect(try await cache.getOrLoad(key: "report", ttl: .seconds(10), loader: failing) == 1)
        self.clock.advance(by: .seconds(4))
        #expect(try await cache.getOrLoad(key: "report", ttl: .seconds(10), loader: failing) == 1)
        #expect(loads.count == 1)
        #expect(self.counter("cache.stale_if_error_serves") == 2)
        self.clock.advance(by: .seconds(2))
        #expect(try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { 3 } == 3)
    }

    @Test func pastTheMaximumStaleAgeTheErrorReachesTheCaller() async throws {
        let cache = try self.makeCache()
        _ = try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { 1 }
        self.clock.advance(by: .seconds(71))
        await #expect(throws: OriginDown.self) {
            try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { () async throws -> Int in throw OriginDown() }
        }
        #expect(self.counter("cache.stale_if_error_serves") == 0)
    }

    @Test func readThroughSaysItServedStaleAfterAnError() async throws {
        let cache = try self.makeCache()
        _ = try await cache.readThrough(key: "page", ttl: .seconds(10), coding: self.bytes) { [1] }
        self.clock.advance(by: .seconds(11))
        let result = try await cache.readThrough(key: "page", ttl: .seconds(10), coding: self.bytes) {
            () async throws -> [UInt8] in
            throw OriginDown()
        }
        #expect(result.value == [1] && result.source == .stale)
        #expect(result.loadError is OriginDown)
    }

    @Test func coalescedWaitersGetTheStaleValueToo() async throws {
        let cache = try self.makeCache()
        _ = try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { [UInt8]([1]) }
        self.clock.advance(by: .seconds(11))
        let started = Gate()
        let release = Gate()
        let leader = Task {
            try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { () async throws -> [UInt8] in
                started.open()
                await release.wait()
                throw OriginDown()
            }
        }
        await started.wait()
        let follower = Task {
            try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { () async throws -> [UInt8] in
                Issue.record("a coalesced caller must not load")
                return [9]
            }
        }
        let key = CacheKey(namespace: cache.namespace, key: "report")
        #expect(await waitUntil { cache.core.flights.flight(for: key)?.waitersJoined == 1 })
        release.open()
        #expect(try await leader.value == [1])
        #expect(try await follower.value == [1])
        #expect(self.counter("cache.stale_if_error_serves") == 2)
    }

    @Test func theWarningObeysKeyCapture() async throws {
        let cache = try self.makeCache(keyCapture: .off)
        _ = try await cache.getOrLoad(key: "user:alice", ttl: .seconds(10)) { 1 }
        self.clock.advance(by: .seconds(11))
        struct Failed: Error, CustomStringConvertible { var description: String { "no row for user:alice" } }
        _ = try await cache.getOrLoad(key: "user:alice", ttl: .seconds(10)) { () async throws -> Int in throw Failed() }
        let warning = try #require(self.logs.entries.first { $0.level == .warning })
        #expect(warning.metadata["cache.key"] == nil)
        #expect(!"\(self.logs.entries)".contains("alice"))
    }

    @Test func aStaleAgeWithoutATTLIsRefused() async throws {
        let cache = try self.makeCache()
        let error = await #expect(throws: CacheError.self) {
            try await cache.getOrLoad(key: "report", ttl: nil) { 1 }
        }
        #expect(error?.code == .invalidConfiguration && error?.message.contains("maximumStaleAge") == true)
    }

    @Test(arguments: [
        (LoadPolicy(maximumStaleAge: .seconds(60), softTimeout: .seconds(2), hardTimeout: .seconds(1)), "softTimeout"),
        (LoadPolicy(softTimeout: .seconds(1)), "softTimeout needs maximumStaleAge"),
        (LoadPolicy(maximumStaleAge: .zero), "maximumStaleAge must be positive"),
        (LoadPolicy(failSafeThrottle: .seconds(-1)), "failSafeThrottle must be positive"),
        (LoadPolicy(hardTimeout: .zero), "hardTimeout must be positive"),
    ])
    func inconsistentPoliciesAreRefusedNamingTheField(policy: LoadPolicy, named: String) throws {
        let error = #expect(throws: CacheError.self) { try self.makeCache(policy: policy) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains(named) == true, "\(error?.message ?? "")")
    }
}

/// Waits until `condition` holds (bounded: 30 s, so a broken build fails rather than hangs), yielding between
/// checks. Returns whether it held.
func waitUntil(_ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        await Task.yield()
    }
    return false
}
