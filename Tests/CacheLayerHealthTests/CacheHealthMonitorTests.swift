import CacheLayer
import CacheLayerHealth
import Testing

@Suite("Cache health monitor: detection")
struct CacheHealthMonitorTests {
    /// Runs `minutes` of `minute` traffic, checking after each, and returns the anomalies with the minute (1-based,
    /// counted from the first call of this helper's traffic) they fired in.
    static func run(
        _ traffic: SyntheticTraffic, _ monitor: CacheHealthMonitor, minutes: Int,
        _ minute: SyntheticTraffic.Minute = .init()
    ) async -> [(minute: Int, anomaly: CacheAnomaly)] {
        var fired: [(Int, CacheAnomaly)] = []
        for index in 1...minutes {
            traffic.advance(minute)
            for anomaly in await monitor.check() { fired.append((index, anomaly)) }
        }
        return fired
    }

    /// A warm monitor: a first reading, then the warm-up's ten minutes of steady traffic.
    static func warmMonitor(_ traffic: SyntheticTraffic) async -> CacheHealthMonitor {
        let monitor = traffic.monitor()
        await monitor.check()
        let fired = await Self.run(traffic, monitor, minutes: 30)
        #expect(fired.isEmpty)
        return monitor
    }

    @Test func aVolatileParameterInTheKeyIsReportedInTheFirstMinuteAsKeyCardinality() async {
        let traffic = SyntheticTraffic()
        let monitor = await Self.warmMonitor(traffic)
        // The deploy: every cached request now carries a request id in its key, so it misses with a key never seen.
        var broken = SyntheticTraffic.Minute()
        broken.cachedMissShare = 1
        broken.newKeyShare = 1
        let fired = await Self.run(traffic, monitor, minutes: 5, broken)
        #expect(fired.count == 1, "reported once, however long it lasts")
        #expect(fired.first?.minute == 1, "detection delay: the first interval after the deploy (600 requests)")
        let anomaly = fired.first?.anomaly
        #expect(anomaly?.kind == AnomalyCause.keyCardinality)
        #expect(anomaly?.boundary == "order-items")
        #expect((anomaly?.missRate ?? 0) > 0.95)
        #expect(abs((anomaly?.expectedMissRate ?? 0) - 0.3) < 0.02)
    }

    @Test func aFilterChangeIsReportedAsABypassNamingTheReason() async {
        let traffic = SyntheticTraffic()
        let monitor = await Self.warmMonitor(traffic)
        var changed = SyntheticTraffic.Minute()
        changed.uncommonFilterShare = 0.5  // the client now sends a filter value outside the common set
        let fired = await Self.run(traffic, monitor, minutes: 3, changed)
        #expect(fired.map(\.minute) == [1])
        #expect(fired.first?.anomaly.kind == AnomalyCause.bypass)
        #expect(fired.first?.anomaly.causes.first?.evidence.hasPrefix("uncommon_filter") == true)
    }

    @Test func evictionsOfYoungEntriesAreReportedAsEvictions() async {
        let traffic = SyntheticTraffic()
        let monitor = await Self.warmMonitor(traffic)
        var squeezed = SyntheticTraffic.Minute()
        squeezed.cachedMissShare = 0.6  // pages 1-3 no longer fit: entries are dropped before their TTL
        squeezed.evictionsPerMinute = 250
        let fired = await Self.run(traffic, monitor, minutes: 3, squeezed)
        #expect(fired.map(\.minute) == [1])
        #expect(fired.first?.anomaly.kind == AnomalyCause.evictions)
        #expect(fired.first?.anomaly.causes.map(\.name) == [AnomalyCause.evictions])
    }

    @Test func expirationsRisingAreReportedAsExpirations() async {
        let traffic = SyntheticTraffic()
        let monitor = await Self.warmMonitor(traffic)
        var shortTTL = SyntheticTraffic.Minute()
        shortTTL.cachedMissShare = 0.6  // a TTL cut from 60 s to 5 s
        shortTTL.expirationsPerMinute = 240
        let fired = await Self.run(traffic, monitor, minutes: 2, shortTTL)
        #expect(fired.first?.anomaly.kind == AnomalyCause.expirations)
    }

    @Test func redisNearItsMaxmemoryIsNamedAsEvictions() async {
        let traffic = SyntheticTraffic()
        traffic.setServer(.init(usedMemory: 500, maxMemory: 1000, evictedKeys: 0))
        let monitor = await Self.warmMonitor(traffic)
        traffic.setServer(.init(usedMemory: 990, maxMemory: 1000, evictedKeys: 5000))
        var squeezed = SyntheticTraffic.Minute()
        squeezed.cachedMissShare = 0.6
        let fired = await Self.run(traffic, monitor, minutes: 1, squeezed)
        let causes = fired.first?.anomaly.causes ?? []
        #expect(causes.map(\.name) == [AnomalyCause.evictions, AnomalyCause.evictions])
        #expect(causes.contains { $0.evidence.hasPrefix("Redis evicted_keys") })
        #expect(causes.contains { $0.evidence == "Redis used_memory at 99% of maxmemory" })
    }

    @Test func nothingIsRaisedDuringTheWarmUpHoweverHighTheMissRate() async {
        let traffic = SyntheticTraffic()
        let monitor = traffic.monitor(.init(warmUpIntervals: 10))
        await monitor.check()
        #expect(await Self.run(traffic, monitor, minutes: 9).isEmpty)
        var broken = SyntheticTraffic.Minute()
        broken.cachedMissShare = 1
        #expect(await Self.run(traffic, monitor, minutes: 1, broken).isEmpty, "the warm-up's tenth minute")
    }

    @Test func theFirstMinuteAfterTheWarmUpIsJudged() async {
        let traffic = SyntheticTraffic()
        let monitor = traffic.monitor(.init(warmUpIntervals: 10))
        await monitor.check()
        #expect(await Self.run(traffic, monitor, minutes: 10).isEmpty)
        var broken = SyntheticTraffic.Minute()
        broken.cachedMissShare = 1
        #expect(await Self.run(traffic, monitor, minutes: 1, broken).count == 1)
    }

    @Test func aFallingMissRateIsNeverAnAnomaly() async {
        let traffic = SyntheticTraffic()
        let monitor = await Self.warmMonitor(traffic)
        var better = SyntheticTraffic.Minute()
        better.deepPageShare = 0  // pages 2-3 now cached
        better.cachedMissShare = 0.01
        #expect(await Self.run(traffic, monitor, minutes: 10, better).isEmpty)
    }

    @Test func quietIntervalsAreNeitherLearnedNorJudged() async {
        let traffic = SyntheticTraffic()
        let monitor = await Self.warmMonitor(traffic)
        var night = SyntheticTraffic.Minute()
        night.requests = 10  // under minimumRequests: 10 requests say nothing about a miss rate
        night.cachedMissShare = 1
        #expect(await Self.run(traffic, monitor, minutes: 30, night).isEmpty)
    }

    @Test func aLastingChangeIsLearnedAsTheNewNormalAfterRelearnAfterIntervals() async {
        let traffic = SyntheticTraffic()
        let monitor = traffic.monitor(.init(warmUpIntervals: 10, relearnAfter: 20))
        await monitor.check()
        _ = await Self.run(traffic, monitor, minutes: 15)
        var narrower = SyntheticTraffic.Minute()
        narrower.deepPageShare = 0.6  // an intended change: only page 1 cached now
        let fired = await Self.run(traffic, monitor, minutes: 60, narrower)
        #expect(fired.map(\.minute) == [1], "reported once; after 20 minutes it is learned afresh, with no new alarm")
    }

    @Test func theAnomalyReadsTheMissRateWithLatency() async {
        let traffic = SyntheticTraffic()
        let monitor = await Self.warmMonitor(traffic)
        var broken = SyntheticTraffic.Minute()
        broken.cachedMissShare = 1
        let latency = await Self.run(traffic, monitor, minutes: 1, broken).first?.anomaly.latency
        #expect(latency?.originOnCriticalPath == true)
        let p95 = latency?.p95Miss ?? .zero
        #expect(p95 > .milliseconds(600) && p95 < .milliseconds(800))
        #expect(latency?.p95 == latency?.p95Miss)
    }
}
