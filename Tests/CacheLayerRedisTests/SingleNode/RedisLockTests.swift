import CacheLayer
import Foundation
import Testing

@testable import CacheLayerRedis

/// The read-through lock across real OS processes (the `LockContender` helper) on the test command's Redis.
@Suite(
    "Distributed lock across processes",
    .enabled(if: RedisTestServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh")
)
struct RedisLockTests {
    let namespace = "lock-\(UUID().uuidString.prefix(8))"

    /// How many loader runs `LockContender` counted for `key` (it takes `runs:<key>:1`, `:2`, ... in turn).
    func runs(of key: String, on backend: RedisBackend) async throws -> Int {
        let runs = try CacheNamespace(self.namespace + "-runs")
        var count = 0
        while try await backend.get(CacheKey(namespace: runs, key: "\(key):\(count + 1)")) != nil {
            count += 1
        }
        return count
    }

    func startTime(in delay: Duration) -> String {
        let (seconds, attoseconds) = (EpochCacheClock().now() + delay).components
        return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000)"
    }

    /// Runs four contender processes of 250 calls over `keys`, all starting at the same wall-clock moment (after
    /// every process has connected), and checks that every call got its key's value.
    func runFourContenders(keys: [String], mode: [String] = []) async throws {
        let url = try #require(RedisTestServer.url)
        let start = self.startTime(in: .seconds(2))
        let processes = try (0..<4).map { _ in
            try ChildProcess("LockContender", [url, self.namespace, keys.joined(separator: ","), "250", start] + mode)
        }
        for process in processes {
            let status = try await process.wait(timeout: .seconds(60))
            #expect(status == 0, "\(process.output)")
            #expect(process.output.contains("calls=250 wrong=0 errors=0"), "\(process.output)")
        }
    }

    @Test func fourProcessesTimesTwoHundredFiftyCallersLoadEachKeyOnce() async throws {
        let keys = (0..<5).map { "report-\($0)" }
        try await self.runFourContenders(keys: keys)
        let backend = try RedisBackendFixture.backend(prefix: "")
        defer { backend.shutdown() }
        for key in keys {
            #expect(try await self.runs(of: key, on: backend) == 1, "loader runs for \(key)")
        }
    }

    @Test func withoutTheLockEachProcessLoadsOnItsOwn() async throws {
        // The control: the same run with in-process single-flight only. Each process loads each key once, so the
        // source sees up to four loads per key (fewer only if a process started late enough to find the value).
        let keys = (0..<5).map { "control-\($0)" }
        try await self.runFourContenders(keys: keys, mode: ["nolock"])
        let backend = try RedisBackendFixture.backend(prefix: "")
        defer { backend.shutdown() }
        var total = 0
        for key in keys {
            let runs = try await self.runs(of: key, on: backend)
            #expect((1...4).contains(runs), "loader runs for \(key)")
            total += runs
        }
        #expect(total > keys.count, "without the lock, some key must have loaded more than once")
    }

    @Test func whenTheLockHolderIsKilledAnotherProcessTakesOverAfterTheLease() async throws {
        let url = try #require(RedisTestServer.url)
        let now = self.startTime(in: .zero)
        let holder = try ChildProcess("LockContender", [url, self.namespace, "orphaned", "1", now, "hold"])
        try await holder.waitForOutput(containing: "holding", timeout: .seconds(30))

        // The waiter starts while the lock is held, waits, and (its policy says fail on timeout, after 10 s) can
        // only succeed by taking the lock once the dead holder's 2 s lease ends.
        let waiter = try ChildProcess("LockContender", [url, self.namespace, "orphaned", "50", now])
        try await Task.sleep(for: .milliseconds(300))
        holder.kill()

        let status = try await waiter.wait(timeout: .seconds(30))
        #expect(status == 0, "\(waiter.output)")
        #expect(waiter.output.contains("calls=50 wrong=0 errors=0"), "\(waiter.output)")
        let backend = try RedisBackendFixture.backend(prefix: "")
        defer { backend.shutdown() }
        #expect(try await self.runs(of: "orphaned", on: backend) == 2, "the killed holder's run and the successor's")
    }

    @Test func theGracePeriodIsPartOfTheTTLRedisHolds() async throws {
        let backend = try RedisBackendFixture.backend()
        defer { backend.shutdown() }
        let cache = try Cache(
            namespace: self.namespace,
            backend: backend,
            configuration: .init(loadPolicy: LoadPolicy(gracePeriod: .seconds(50)))
        )
        #expect(try await cache.getOrLoad(key: "k", ttl: .seconds(10)) { "v" } == "v")
        let reply = try await backend.command("PTTL", backend.configuration.keyPrefix + self.namespace + ":k")
        guard case .integer(let milliseconds) = reply else {
            Issue.record("PTTL replied \(reply)")
            return
        }
        #expect((59_000...60_000).contains(milliseconds))
        #expect(try await cache.get("k", as: String.self) == "v")
    }
}
