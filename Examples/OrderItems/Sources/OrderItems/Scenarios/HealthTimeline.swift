import CacheLayerHealth

/// What the health scenarios' replay showed: each interval's miss rate beside the monitor's band, the cache's
/// memory, and each phase with the anomalies raised in it.
public struct HealthTimeline: Sendable {
    /// One of the monitor's intervals.
    public struct Interval: Sendable {
        /// 1-based, over the whole replay.
        public var number: Int
        /// The scenario of the phase it belongs to.
        public var scenario: HealthScenario
        /// Requests sent before the interval's end, priming included.
        public var requestsSoFar: Int
        /// The boundary's miss rate beside its band, as the monitor reported it (`nil` when it judged nothing).
        public var band: BoundaryBand?
        /// The memory tier's bytes and budget at the interval's end.
        public var bytes: Int
        public var byteBudget: Int
        /// Anomalies raised at the interval's end.
        public var anomalies: [CacheAnomaly]
    }

    /// One phase and what the monitor said in it.
    public struct Phase: Sendable {
        /// The phase as planned.
        public var plan: HealthPhase
        /// The requests sent before the phase began, priming included.
        public var startRequest: Int
        /// The phase's intervals (numbers in ``HealthTimeline/intervals``).
        public var intervals: ClosedRange<Int>
        /// The anomalies raised in the phase, each with the requests sent since the phase began when it fired.
        public var anomalies: [(requestsIntoPhase: Int, anomaly: CacheAnomaly)]
        /// The phase's responses as the clients saw them.
        public var summary: ReplaySummary
    }

    /// Requests per interval.
    public var requestsPerInterval: Int
    /// Requests sent before the monitor's first reading.
    public var primingRequests: Int
    /// Every interval, in order.
    public var intervals: [Interval]
    /// Every phase, in order.
    public var phases: [Phase]
    /// From the first request to the last response.
    public var wallTime: Duration

    /// Every request sent.
    public var requests: Int { self.intervals.last?.requestsSoFar ?? self.primingRequests }

    /// Anomalies raised while the traffic was steady: false positives.
    public var falsePositives: Int {
        self.phases.filter { $0.plan.scenario == .steady }.reduce(0) { $0 + $1.anomalies.count }
    }

    /// Intervals of steady traffic that the monitor judged (after its warm-up).
    public var judgedSteadyIntervals: Int {
        self.intervals.filter { $0.scenario == .steady && $0.band?.upperBound != nil }.count
    }
}
