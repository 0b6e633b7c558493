import CacheLayerHealth

/// The health scenarios' replay: how many requests make one of the monitor's intervals, the monitor's settings, and
/// the phases in order. The monitor runs on the replay's own clock: each interval of requests moves it one minute
/// on, so its warm-up and per-minute rates read as they would at one reading a minute.
public struct HealthScenarioPlan: Sendable {
    /// Requests sent before the monitor's first reading: the cache fills, so the warm-up learns a warm cache.
    public var primingRequests: Int
    /// Requests per interval (one minute on the monitor's clock).
    public var requestsPerInterval: Int
    /// The monitor's settings (its defaults: warm-up of 10 intervals, a band of 4 deviations plus 5 points).
    public var configuration: CacheHealthMonitor.Configuration
    /// The deepest cached page.
    public var highestCachedPage: Int
    /// The memory budget of the ``HealthScenario/smallBudget`` phase, bytes.
    public var smallBudget: Int
    /// The phases, in order.
    public var phases: [HealthPhase]
    /// The scenarios' database: a small one, so that the misses their changes cause take seconds in all, not
    /// minutes (the monitor reads the cache's counters, not the database's speed).
    public var databaseScale = DatabaseScale(orders: 500)

    /// Creates a plan.
    public init(
        primingRequests: Int, requestsPerInterval: Int, configuration: CacheHealthMonitor.Configuration,
        highestCachedPage: Int, smallBudget: Int, phases: [HealthPhase]
    ) {
        self.primingRequests = primingRequests
        self.requestsPerInterval = requestsPerInterval
        self.configuration = configuration
        self.highestCachedPage = highestCachedPage
        self.smallBudget = smallBudget
        self.phases = phases
    }

    /// The main job's plan: steady traffic through the warm-up and two judged intervals, then each change until
    /// the monitor reports it (at most three intervals) with a steady interval between them (the change rolled
    /// back), the budget last: 16 KiB, one page's worth, where pages 1-3 with the common filters take about
    /// 380 KiB. 150 requests an interval, after 300 that warm the cache: 2,550 to 3,150 requests.
    public static let mainJob = HealthScenarioPlan(
        primingRequests: 300,
        requestsPerInterval: 150,
        configuration: CacheHealthMonitor.Configuration(),
        highestCachedPage: 3,
        smallBudget: 16 << 10,
        phases: [
            HealthPhase(.steady, intervals: 12),
            HealthPhase(.volatileParameter, intervals: 3, endsAtAnomaly: true),
            HealthPhase(.steady, intervals: 1),
            HealthPhase(.filterChange, intervals: 3, endsAtAnomaly: true),
            HealthPhase(.steady, intervals: 1),
            HealthPhase(.smallBudget, intervals: 3, endsAtAnomaly: true),
        ]
    )

    /// A long steady replay, to measure how often the monitor raises an anomaly on traffic where nothing changed.
    public static func steady(intervals: Int) -> HealthScenarioPlan {
        var plan = Self.mainJob
        plan.phases = [HealthPhase(.steady, intervals: intervals)]
        return plan
    }

    /// Requests the plan sends at most.
    public var maximumRequests: Int {
        self.primingRequests + self.phases.reduce(0) { $0 + $1.intervals } * self.requestsPerInterval
    }
}
