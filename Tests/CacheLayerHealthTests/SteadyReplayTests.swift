import CacheLayer
import CacheLayerHealth
import Foundation
import Testing

@Suite("Cache health monitor: steady traffic")
struct SteadyReplayTests {
    /// A week of steady traffic, one reading a minute (10,080 intervals): requests follow the day (200 to 1,000 a
    /// minute), the miss share drifts by a tenth of itself over the day, and every count has binomial or Poisson
    /// noise. Measured with the default configuration: 0 anomalies in 10,070 judged intervals, a false-positive rate
    /// of 0 (below 1 in 10,070, so under 0.01% of intervals).
    @Test func aWeekOfSteadyTrafficRaisesNoAnomaly() async {
        let traffic = SyntheticTraffic(seed: 7)
        let monitor = traffic.monitor()
        await monitor.check()
        var anomalies: [CacheAnomaly] = []
        let minutes = 7 * 24 * 60
        for index in 0..<minutes {
            let day = sin(2 * Double.pi * Double(index) / (24 * 60))
            var minute = SyntheticTraffic.Minute()
            minute.requests = Int(600 + 400 * day)
            minute.cachedMissShare = 0.125 * (1 + 0.1 * day)
            minute.expirationsPerMinute = 20 * (1 + 0.5 * day)
            traffic.advance(minute)
            anomalies += await monitor.check()
        }
        #expect(anomalies.isEmpty, "false positives: \(anomalies.count) in \(minutes - 10) judged intervals")
    }

    @Test func noAlarmOnNoisyLowTraffic() async {
        // 40 requests a minute: the interval's miss rate swings by about 7 points either way; the band widens with
        // the binomial spread at that count.
        let traffic = SyntheticTraffic(seed: 11)
        let monitor = traffic.monitor()
        await monitor.check()
        var minute = SyntheticTraffic.Minute()
        minute.requests = 40
        #expect(await CacheHealthMonitorTests.run(traffic, monitor, minutes: 24 * 60, minute).isEmpty)
    }
}
