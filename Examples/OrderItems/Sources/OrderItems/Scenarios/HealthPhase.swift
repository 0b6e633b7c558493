/// One stretch of the health scenarios' replay: a scenario for a number of the monitor's intervals.
public struct HealthPhase: Sendable {
    /// What the traffic and the server do meanwhile.
    public var scenario: HealthScenario
    /// Intervals (of ``HealthScenarioPlan/requestsPerInterval`` requests each) it lasts at most.
    public var intervals: Int
    /// Whether the phase ends at the end of the interval in which the monitor raised an anomaly.
    public var endsAtAnomaly: Bool

    /// Creates a phase.
    public init(_ scenario: HealthScenario, intervals: Int, endsAtAnomaly: Bool = false) {
        self.scenario = scenario
        self.intervals = intervals
        self.endsAtAnomaly = endsAtAnomaly
    }
}
