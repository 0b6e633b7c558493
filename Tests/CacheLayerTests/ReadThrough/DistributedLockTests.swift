import CacheLayerTestSupport
import CacheLayerTesting
import InMemoryTracing
import MetricsTestKit
import Testing
import Tracing

@testable import CacheLayer

/// The read-through lock on the memory backend, with several `Cache` instances standing in for processes (each has
/// its own in-process single-flight, so only the lock keeps them from loading side by side). The same paths run
/// against a real Redis with real processes in `CacheLayerRedisTests`.
@Suite("Distributed lock")
struct DistributedLockTests {
    let backend = try! MemoryBackend(byteBudget: 8 << 20)
    let tracer = InMemoryTracer()
    let metrics = TestMetrics()

    func makeCache(_ lock: LoadPolicy.Lock) throws -> Cache {
        try Cache(
            namespace: "locked",
            backend: self.backend,
            configuration: .init(loadPolicy: LoadPolicy(lock: lock), tracer: self.tracer, metricsFactory: self.metrics)
        )
    }

    @Test func fourInstancesTimesAHundredCallersLoadOnce() async throws {
        // A lease and a wait far longer than the test holds the load: only the gate decides when it ends.
        let lock = LoadPolicy.Lock(lease: .seconds(60), maximumWait: .seconds(60), onTimeout: .fail)
        let caches = try (0..<4).map { _ in try self.makeCache(lock) }
        let loads = LoadCounter()
        let gate = Gate()
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for cache in caches {
                for _ in 0..<100 {
                    group.addTask {
                        try await cache.getOrLoad(key: "cold", ttl: .seconds(60)) { () async throws -> Int in
                            loads.increment()
                            await gate.wait()
                            return 42
                        }
                    }
                }
            }
            // The load is held until, in every instance, the 99 other callers wait on their leader's flight, and
            // the three leaders that did not get the lock are waiting for it (their lock spans are still open).
            let cold = CacheKey(namespace: try CacheNamespace("locked"), key: "cold")
            let piledUp = await waitUntil {
                loads.count == 1
                    && caches.allSatisfy { ($0.core.flights.flight(for: cold)?.waitersJoined ?? 0) >= 99 }
                    && self.tracer.activeSpans.filter { $0.operationName == "cache.lock" }.count == 3
            }
            gate.open()
            #expect(piledUp, "the callers did not all reach the flights and the lock before the load ended")
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(values.count == 400)
        #expect(values.allSatisfy { $0 == 42 })
        #expect(loads.count == 1)
        // The lock is released once the value is stored.
        let lockKey = DistributedLock(
            guarding: CacheKey(namespace: try CacheNamespace("locked"), key: "cold"), on: self.backend
        ).key
        #expect(try await self.backend.get(lockKey) == nil)

        let lockSpans = self.tracer.finishedSpans.filter { $0.operationName == "cache.lock" }
        #expect(lockSpans.count == 4, "one per instance: the other callers were coalesced in process")
        #expect(lockSpans.filter { $0.attributes.get("cache.lock.acquired") == true }.count == 1)
        #expect(lockSpans.allSatisfy { $0.attributes.get("cache.lock.timed_out") == false })
        #expect(lockSpans.allSatisfy { $0.attributes.get("sentry.op") == "cache.lock" })
        #expect(lockSpans.allSatisfy { $0.attributes.get("cache.key") == .stringArray(["locked:cold"]) })
        #expect(try self.metrics.expectCounter("cache.lock_waits", [("cache", "locked")]).totalValue == 3)
    }

    @Test func aDeadHoldersLockIsTakenOverWhenItsLeaseEnds() async throws {
        // The lease runs on a manual clock: it ends when the test advances it, however busy the machine is.
        let clock = ManualCacheClock(start: .seconds(1_000))
        let backend = try ControllableBackend(
            memory: MemoryBackend(configuration: .init(byteBudget: 8 << 20, clock: clock)))
        let cache = try Cache(
            namespace: "locked",
            backend: backend,
            configuration: .init(
                loadPolicy: LoadPolicy(lock: .init(lease: .seconds(5), maximumWait: .seconds(60), onTimeout: .fail)),
                tracer: self.tracer
            )
        )
        // A holder that took the lock for 300 ms and died without storing or releasing anything.
        let lock = DistributedLock(guarding: CacheKey(namespace: cache.namespace, key: "orphan"), on: backend)
        #expect(try await lock.tryAcquire(lease: .milliseconds(300)) != nil)

        let loads = LoadCounter()
        let caller = Task {
            try await cache.getOrLoad(key: "orphan", ttl: .seconds(60)) { () async throws -> String in
                loads.increment()
                return "rebuilt"
            }
        }
        // While the lease runs, the caller finds the lock held, polls, and does not load: its read, then at least
        // three turns of acquiring and reading again.
        let calls = backend.callCount
        #expect(await waitUntil { backend.callCount >= calls + 7 }, "the caller did not poll the held lock")
        #expect(loads.count == 0, "the lock was taken while the dead holder's lease ran")
        // The lease ends: the next poll takes the lock over.
        clock.advance(by: .milliseconds(300))
        let value = try await caller.value
        #expect(value == "rebuilt")
        #expect(loads.count == 1)
        let span = try #require(self.tracer.finishedSpans.first { $0.operationName == "cache.lock" })
        #expect(span.attributes.get("cache.lock.acquired") == true)
        guard case .int64(let waited) = span.attributes.get("cache.lock.wait_ms") else {
            Issue.record("no cache.lock.wait_ms on \(span.attributes)")
            return
        }
        #expect(waited >= 0)
    }

    @Test func aWaiterPastItsBoundThrowsLockTimeoutOrLoadsAsConfigured() async throws {
        let key = CacheKey(namespace: try CacheNamespace("locked"), key: "busy")
        let lock = DistributedLock(guarding: key, on: self.backend)
        let token = try #require(try await lock.tryAcquire(lease: .seconds(30)))

        let failing = try self.makeCache(.init(maximumWait: .milliseconds(100), onTimeout: .fail))
        let error = await #expect(throws: CacheError.self) {
            _ = try await failing.getOrLoad(key: "busy", ttl: .seconds(60)) { () async throws -> Int in 1 }
        }
        #expect(error?.code == .lockTimeout)
        #expect(try self.metrics.expectCounter("cache.lock_timeouts", [("cache", "locked")]).totalValue == 1)
        let timedOut = try #require(self.tracer.finishedSpans.last { $0.operationName == "cache.lock" })
        #expect(timedOut.attributes.get("cache.lock.timed_out") == true)
        #expect(timedOut.attributes.get("cache.lock.acquired") == false)

        let loading = try self.makeCache(.init(maximumWait: .milliseconds(100), onTimeout: .load))
        #expect(try await loading.getOrLoad(key: "busy", ttl: .seconds(60)) { () async throws -> Int in 7 } == 7)
        // The other holder's lock is untouched: only its owner may release it.
        #expect(try await self.backend.get(lock.key) == token)
        await lock.release(Array("someone else".utf8))
        #expect(try await self.backend.get(lock.key) == token)
        await lock.release(token)
        #expect(try await self.backend.get(lock.key) == nil)
    }

    @Test func locksLiveInANamespaceNoCacheCanNameOrFlush() async throws {
        let cache = try self.makeCache(.init())
        let lock = DistributedLock(guarding: CacheKey(namespace: cache.namespace, key: "k"), on: self.backend)
        #expect(lock.key.namespace.name == "locked\u{1}lock")
        #expect(throws: CacheError.self) { try CacheNamespace("locked\u{1}lock") }
        _ = try await lock.tryAcquire(lease: .seconds(30))
        try await cache.removeAll()
        #expect(try await self.backend.get(lock.key) != nil)
        #expect(try await cache.getBytes("k") == nil)
    }
}
