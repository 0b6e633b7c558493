extension CacheHealthMonitor {
    /// How often the monitor reads, how it learns and how far a miss rate may rise before it reports.
    public struct Configuration: Sendable {
        /// Time between two readings (one interval). Rates are per minute whatever it is.
        public var interval: Duration
        /// Intervals learned before the first anomaly can be raised.
        public var warmUpIntervals: Int
        /// How fast a warm baseline follows the miss rate: the weight of each new interval (0...1).
        public var adaptation: Double
        /// The band's width above the baseline, in standard deviations (the larger of the learned spread and the
        /// spread a binomial miss rate has at the interval's request count).
        public var deviations: Double
        /// A floor added to the band, in miss-rate points (0.05 = 5 points), so a boundary with an almost constant
        /// miss rate does not alarm on a tiny rise.
        public var minimumRise: Double
        /// Intervals with fewer requests of a boundary are neither learned nor judged.
        public var minimumRequests: Int
        /// Consecutive intervals above the band before an anomaly is raised.
        public var confirmations: Int
        /// Intervals an anomaly may last before the monitor takes the new level as normal and learns it afresh
        /// (an intended change, say a boundary made narrower).
        public var relearnAfter: Int
        /// How much a counter's per-minute rate must exceed its baseline to be named as a cause: both this factor
        /// and ``minimumCauseRate`` above it.
        public var causeFactor: Double
        /// The smallest rise per minute of a counter named as a cause.
        public var minimumCauseRate: Double
        /// The rise of a bypass reason's share of requests (0.1 = 10 points) that names it as a cause.
        public var bypassShift: Double
        /// Redis `used_memory / maxmemory` at or above which evictions are named as a cause.
        public var serverMemoryPressure: Double

        /// Creates a configuration; the defaults suit one reading a minute.
        public init(
            interval: Duration = .seconds(60),
            warmUpIntervals: Int = 10,
            adaptation: Double = 0.05,
            deviations: Double = 4,
            minimumRise: Double = 0.05,
            minimumRequests: Int = 30,
            confirmations: Int = 1,
            relearnAfter: Int = 60,
            causeFactor: Double = 2,
            minimumCauseRate: Double = 10,
            bypassShift: Double = 0.1,
            serverMemoryPressure: Double = 0.95
        ) {
            self.interval = interval
            self.warmUpIntervals = warmUpIntervals
            self.adaptation = adaptation
            self.deviations = deviations
            self.minimumRise = minimumRise
            self.minimumRequests = minimumRequests
            self.confirmations = confirmations
            self.relearnAfter = relearnAfter
            self.causeFactor = causeFactor
            self.minimumCauseRate = minimumCauseRate
            self.bypassShift = bypassShift
            self.serverMemoryPressure = serverMemoryPressure
        }
    }
}
