import CacheLayer
import CacheLayerHealth
import Synchronization
import Testing

@Suite("Cache health monitor: the band of each interval")
struct BoundaryBandTests {
    @Test func everyIntervalIsReportedWithItsBandAndTheAnomalousOneIsAboveIt() async {
        let traffic = SyntheticTraffic()
        let bands = Mutex<[BoundaryBand]>([])
        let monitor = CacheHealthMonitor(
            source: traffic.source, clock: traffic.clock,
            onInterval: { band in bands.withLock { $0.append(band) } }
        )
        await monitor.check()
        #expect(bands.withLock { $0 }.isEmpty, "the first reading has no interval before it")
        _ = await CacheHealthMonitorTests.run(traffic, monitor, minutes: 15)
        var broken = SyntheticTraffic.Minute()
        broken.cachedMissShare = 1
        broken.newKeyShare = 1
        let fired = await CacheHealthMonitorTests.run(traffic, monitor, minutes: 1, broken)

        let seen = bands.withLock { $0 }
        #expect(seen.count == 16, "one band per boundary and interval")
        #expect(seen.allSatisfy { $0.boundary == "order-items" && $0.requests == 600 })
        #expect(seen.map(\.at) == (1...16).map { Duration.seconds(60 * $0) })
        let warmUp = CacheHealthMonitor.Configuration().warmUpIntervals
        #expect(seen.prefix(warmUp).allSatisfy { $0.upperBound == nil && !$0.isAboveBand }, "warm-up: not judged")
        let steady = seen.dropFirst(warmUp).dropLast()
        #expect(steady.allSatisfy { ($0.upperBound ?? 0) > $0.expectedMissRate && !$0.isAboveBand })
        let last = seen.last
        #expect(last?.isAboveBand == true)
        #expect(last?.missRate == fired.first?.anomaly.missRate)
        #expect(last?.upperBound == fired.first?.anomaly.upperBound)
        #expect(last?.expectedMissRate == fired.first?.anomaly.expectedMissRate)
    }
}
