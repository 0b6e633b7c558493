import CacheLayer
import CacheLayerHealth
import CacheLayerTestSupport
import CacheLayerTesting
import Foundation
import Synchronization

/// Synthetic counters for one boundary (`order-items`) and a memory tier, advanced a minute at a time with seeded
/// binomial noise, and a monitor that reads them on a manual clock.
final class SyntheticTraffic: Sendable {
    /// One minute of traffic as the counters see it.
    struct Minute {
        var requests = 600
        /// Share of requests bypassing as `deep_page` (pages beyond the cached ones).
        var deepPageShare = 0.2
        /// Share bypassing as `uncommon_filter`.
        var uncommonFilterShare = 0.02
        /// Share of cached requests that miss.
        var cachedMissShare = 0.125
        /// Share of missed cached requests whose key was never seen (steady: keys come back after expiring).
        var newKeyShare = 0.02
        var expirationsPerMinute = 20.0
        var evictionsPerMinute = 1.0
        var hitLatency = Duration.milliseconds(40)
        var missLatency = Duration.milliseconds(700)
    }

    private struct State {
        var statistics = BoundaryStatistics()
        var memory = CacheHealthReading.MemoryTier(evictions: 0, expirations: 0, bytes: 0, byteBudget: 1 << 26)
        var server: CacheHealthReading.Server?
        var random: SeededGenerator
    }

    let clock = ManualCacheClock()
    private let state: Mutex<State>

    init(seed: UInt64 = 42) {
        self.state = Mutex(State(random: SeededGenerator(seed: seed)))
    }

    var source: CacheHealthSource {
        CacheHealthSource { [self] in
            self.state.withLock { state in
                CacheHealthReading(
                    boundaries: ["order-items": state.statistics], memoryTier: state.memory, server: state.server)
            }
        }
    }

    func monitor(
        _ configuration: CacheHealthMonitor.Configuration = .init(),
        onAnomaly: (@Sendable (CacheAnomaly) -> Void)? = nil
    ) -> CacheHealthMonitor {
        CacheHealthMonitor(source: self.source, configuration: configuration, clock: self.clock, onAnomaly: onAnomaly)
    }

    func setServer(_ server: CacheHealthReading.Server?) {
        self.state.withLock { $0.server = server }
    }

    /// Adds a minute of traffic to the counters and moves the clock a minute on.
    func advance(_ minute: Minute) {
        self.state.withLock { state in
            let deep = Self.binomial(minute.requests, minute.deepPageShare, &state.random)
            let uncommon = Self.binomial(minute.requests - deep, minute.uncommonFilterShare, &state.random)
            let cached = minute.requests - deep - uncommon
            let misses = Self.binomial(cached, minute.cachedMissShare, &state.random)
            let newKeys = Self.binomial(misses, minute.newKeyShare, &state.random)
            var statistics = state.statistics
            statistics.decisions["cache", default: 0] += cached
            statistics.decisions["deep_page", default: 0] += deep
            statistics.decisions["uncommon_filter", default: 0] += uncommon
            statistics.hits += cached - misses
            statistics.misses += misses
            statistics.distinctKeys += newKeys
            statistics.hitLatency.record(minute.hitLatency, times: cached - misses)
            statistics.missLatency.record(minute.missLatency, times: misses + deep + uncommon)
            state.statistics = statistics
            state.memory.expirations += Self.poisson(minute.expirationsPerMinute, &state.random)
            state.memory.evictions += Self.poisson(minute.evictionsPerMinute, &state.random)
        }
        self.clock.advance(by: .seconds(60))
    }

    /// A binomial draw, by the normal approximation (clamped to 0...n).
    static func binomial(_ n: Int, _ p: Double, _ random: inout SeededGenerator) -> Int {
        let mean = Double(n) * p
        let spread = (mean * (1 - p)).squareRoot()
        let draw = (mean + spread * self.normal(&random)).rounded()
        return Int(min(max(draw, 0), Double(n)))
    }

    /// A Poisson draw, by the normal approximation (clamped at 0).
    static func poisson(_ mean: Double, _ random: inout SeededGenerator) -> Int {
        Int(max((mean + mean.squareRoot() * self.normal(&random)).rounded(), 0))
    }

    /// A standard normal draw (Box-Muller).
    static func normal(_ random: inout SeededGenerator) -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &random)
        let u2 = Double.random(in: 0..<1, using: &random)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}
