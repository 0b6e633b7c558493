import CacheLayer
import Synchronization

/// Gets and puts from many tasks through a fail-open cache while a test breaks the servers behind it. Values
/// carry their key, so a reply that reached the wrong caller is caught.
enum CacheLoad {
    /// What the tasks saw.
    struct Report: Sendable {
        var wrongValues: [String] = []
        var slowestCall: Duration = .zero
        var hits = 0
        var misses = 0
    }

    /// Tells the tasks to finish.
    final class StopFlag: Sendable {
        private let flag = Atomic(false)
        var isSet: Bool { self.flag.load(ordering: .relaxed) }
        func set() { self.flag.store(true, ordering: .relaxed) }
    }

    /// The hits and misses so far, readable while the tasks run: for a test to wait until the load has reached a
    /// state (hits before a fault, misses during it, hits again after it) instead of sleeping and hoping.
    final class Progress: Sendable {
        private let hitCount = Atomic(0)
        private let missCount = Atomic(0)
        var hits: Int { self.hitCount.load(ordering: .relaxed) }
        var misses: Int { self.missCount.load(ordering: .relaxed) }
        func hit() { self.hitCount.add(1, ordering: .relaxed) }
        func miss() { self.missCount.add(1, ordering: .relaxed) }
    }

    /// The value stored under `key`: it names the key.
    static func value(_ key: String) -> [UInt8] { Array("\(key)=value".utf8) }

    /// Runs `tasks` tasks of gets and puts (one in three) over `keyCount` keys until `stop` is set (bounded by
    /// `limit`), counting on `progress` as they go.
    static func run(
        _ cache: Cache, tasks: Int, keyCount: Int = 64, stop: StopFlag, limit: Duration = .seconds(20),
        progress: Progress = Progress()
    ) async -> Report {
        await withTaskGroup(of: Report.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var report = Report()
                    let clock = ContinuousClock()
                    let end = clock.now + limit
                    var step = 0
                    while !stop.isSet && clock.now < end {
                        step += 1
                        let key = "k\((task * 7 + step) % keyCount)"
                        let start = clock.now
                        do {
                            if step % 3 == 0 {
                                try await cache.putBytes(key, Self.value(key), ttl: .seconds(60))
                            } else if let value = try await cache.getBytes(key) {
                                report.hits += 1
                                progress.hit()
                                if value != Self.value(key) { report.wrongValues.append(key) }
                            } else {
                                report.misses += 1
                                progress.miss()
                            }
                        } catch {
                            report.wrongValues.append("unexpected throw: \(error)")
                        }
                        report.slowestCall = max(report.slowestCall, clock.now - start)
                        // While a breaker refuses, calls complete without suspending; a loop of them would
                        // hold a cooperative thread forever. Real request handlers suspend elsewhere; so does this.
                        await Task.yield()
                    }
                    return report
                }
            }
            return await group.reduce(into: Report()) { total, part in
                total.wrongValues += part.wrongValues
                total.slowestCall = max(total.slowestCall, part.slowestCall)
                total.hits += part.hits
                total.misses += part.misses
            }
        }
    }

    /// How long after `start` a write then a read of `probe` first both succeed, polling every 20 ms; `nil` if
    /// not within `limit`.
    static func timeToRecover(
        _ backend: some CacheBackend, probe: CacheKey, since start: ContinuousClock.Instant, within limit: Duration
    ) async -> Duration? {
        let value = Self.value(probe.key)
        while ContinuousClock.now - start < limit {
            if (try? await backend.set(probe, to: value, ttl: .seconds(120))) != nil,
                (try? await backend.get(probe)) == value
            {
                return ContinuousClock.now - start
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}
