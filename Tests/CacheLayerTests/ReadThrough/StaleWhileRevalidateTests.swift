#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import InMemoryTracing
import MetricsTestKit
import CacheLayerTestSupport
import Testing
import Tracing

@testable import CacheLayer
import CacheLayerTesting

/// Stale-while-revalidate and early refresh, with one manual clock driving both the backend's expiry and
/// read-through freshness.
@Suite("Stale-while-revalidate and early refresh")
struct StaleWhileRevalidateTests {
    let clock = ManualCacheClock(start: .seconds(1_000))
    let metrics = TestMetrics()
    let tracer = InMemoryTracer()
    let policy = LoadPolicy(gracePeriod: .seconds(60))

    func makeCache(policy: LoadPolicy? = nil, random: any CacheRandom = SeededCacheRandom(seed: 7)) throws -> Cache {
        let backend = try MemoryBackend(configuration: .init(byteBudget: 8 << 20, clock: self.clock))
        return try Cache(
            namespace: "swr",
            backend: backend,
            configuration: .init(
                random: random,
                loadPolicy: policy ?? self.policy,
                freshnessClock: self.clock,
                tracer: self.tracer,
                metricsFactory: self.metrics
            )
        )
    }

    func counter(_ label: String) -> Int64 {
        (try? self.metrics.expectCounter(label, [("cache", "swr")]).totalValue) ?? 0
    }

    /// Polls `condition` every 5 ms until it holds (bounded: 10 s, generous for a loaded machine, so that a broken
    /// build fails rather than hangs), sleeping between polls so background tasks run.
    func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return try await condition()
    }

    @Test func aStaleValueIsServedAtOnceWhileOneBackgroundRefreshReplacesIt() async throws {
        let cache = try self.makeCache()
        let loads = LoadCounter()
        let gate = Gate()
        let first = try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { () async throws -> Int in
            loads.increment()
            return 1
        }
        #expect(first == 1)
        self.clock.advance(by: .seconds(11))
        self.tracer.clearFinishedSpans()

        // 50 callers in grace: all get the stale value without waiting; the refresh is held by the gate.
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { () async throws -> Int in
                        loads.increment()
                        await gate.wait()
                        return 2
                    }
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(values == Array(repeating: 1, count: 50))
        let staleGets = self.tracer.finishedSpans.filter { $0.operationName == "cache.get" }
        #expect(staleGets.count == 50)
        #expect(
            staleGets.allSatisfy { $0.attributes.get("cache.stale") == true && $0.attributes.get("cache.hit") == true })
        #expect(self.counter("cache.stale_serves") == 50)

        gate.open()
        #expect(try await self.eventually { try await cache.get("report", as: Int.self) == 2 })
        #expect(loads.count == 2, "one initial load and exactly one refresh")
        // The refreshed value is fresh again: no stale attribute, no further load.
        self.tracer.clearFinishedSpans()
        let refreshed = try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { () async throws -> Int in
            loads.increment()
            return 3
        }
        #expect(refreshed == 2)
        #expect(
            self.tracer.finishedSpans.first { $0.operationName == "cache.get" }?.attributes.get("cache.stale") == nil)
        #expect(loads.count == 2)
    }

    @Test func aFailingRefreshKeepsTheStaleValueUntilGraceEnds() async throws {
        let cache = try self.makeCache()
        _ = try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { () async throws -> Int in 1 }
        self.clock.advance(by: .seconds(30))

        let failing: @Sendable () async throws -> Int = { throw SourceDown() }
        #expect(try await cache.getOrLoad(key: "report", ttl: .seconds(10), loader: failing) == 1)
        #expect(try await self.eventually { self.counter("cache.refresh_failures") == 1 })
        #expect(try await cache.getOrLoad(key: "report", ttl: .seconds(10), loader: failing) == 1)
        #expect(try await self.eventually { self.counter("cache.refresh_failures") == 2 })

        // Grace ends 10 + 60 s after the write: the stale value is gone and the caller sees the source's error.
        self.clock.advance(by: .seconds(41))
        await #expect(throws: SourceDown.self) {
            try await cache.getOrLoad(key: "report", ttl: .seconds(10), loader: failing)
        }
    }

    @Test func withoutAGracePeriodAnExpiredValueIsAMiss() async throws {
        let cache = try self.makeCache(policy: LoadPolicy())
        let loads = LoadCounter()
        let load: @Sendable () async throws -> Int = {
            loads.increment()
            return loads.count
        }
        #expect(try await cache.getOrLoad(key: "k", ttl: .seconds(10), loader: load) == 1)
        self.clock.advance(by: .seconds(11))
        #expect(try await cache.getOrLoad(key: "k", ttl: .seconds(10), loader: load) == 2)
    }

    @Test func aPlainGetReadsAValueWrittenWithAFreshnessHeader() async throws {
        let cache = try self.makeCache()
        _ = try await cache.getOrLoad(key: "p", ttl: .seconds(10)) { Product(id: 4, name: "Lamp") }
        #expect(try await cache.get("p", as: Product.self) == Product(id: 4, name: "Lamp"))
        // The backend keeps it for the fresh period plus grace, which is what the put span reports.
        let put = try #require(self.tracer.finishedSpans.first { $0.operationName == "cache.put" })
        #expect(put.attributes.get("cache.ttl") == 70)
    }

    @Test func earlyRefreshReplacesAFreshValueBeforeItExpires() async throws {
        // A beta this large refreshes on any read once a load took measurable time.
        let cache = try self.makeCache(policy: LoadPolicy(earlyRefresh: EarlyRefresh(beta: 1e9)))
        let loads = LoadCounter()
        let load: @Sendable () async throws -> Int = {
            loads.increment()
            try await Task.sleep(for: .milliseconds(5))
            return loads.count
        }
        #expect(try await cache.getOrLoad(key: "k", ttl: .seconds(60), loader: load) == 1)
        // Still fresh: the caller gets the current value and one refresh starts behind it.
        #expect(try await cache.getOrLoad(key: "k", ttl: .seconds(60), loader: load) == 1)
        #expect(try await self.eventually { try await cache.get("k", as: Int.self) == 2 })
        #expect(self.counter("cache.early_refreshes") == 1)
        #expect(self.counter("cache.stale_serves") == 0)
    }

    @Test func earlyRefreshProbabilityFollowsTheXFetchFormula() {
        // P(refresh) = P(delta * beta * Exp(1) >= remaining) = exp(-remaining / (delta * beta)).
        let random = SeededCacheRandom(seed: 42)
        let early = EarlyRefresh(beta: 1)
        let delta = Duration.milliseconds(200)
        for remaining in [Duration.milliseconds(50), .milliseconds(200), .milliseconds(600)] {
            let trials = 20_000
            var refreshes = 0
            for _ in 0..<trials
            where early.shouldRefresh(
                now: .seconds(100) - remaining,
                freshUntil: .seconds(100),
                loadDuration: delta,
                unit: random.nextUnit()
            ) {
                refreshes += 1
            }
            let expected = exp(-(remaining / delta))
            #expect(abs(Double(refreshes) / Double(trials) - expected) < 0.015, "remaining \(remaining)")
        }
        // Never for a value whose load took no measurable time, always once expired.
        #expect(!early.shouldRefresh(now: .seconds(1), freshUntil: .seconds(2), loadDuration: .zero, unit: 0.999))
        #expect(early.shouldRefresh(now: .seconds(2), freshUntil: .seconds(2), loadDuration: .milliseconds(1), unit: 0))
    }

    @Test func badPoliciesAreRefusedByName() throws {
        #expect(throws: CacheError.self) { try self.makeCache(policy: LoadPolicy(gracePeriod: .zero)) }
        let error = #expect(throws: CacheError.self) {
            try self.makeCache(policy: LoadPolicy(lock: .init(lease: .seconds(-1))))
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("lease") == true)
    }
}

struct SourceDown: Error {}
