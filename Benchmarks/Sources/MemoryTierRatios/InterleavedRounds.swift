/// Times `scenarios` scenarios in `rounds` rounds, each scenario once per round, in an order that rotates from round
/// to round so that load from other work falls on every scenario alike. `run(round, scenario)` does the scenario's
/// work for that round and returns how many operations it did. Returns, per scenario, its ns per operation in each
/// round.
func interleavedRounds(
    _ rounds: Int, scenarios: Int, _ run: (_ round: Int, _ scenario: Int) async throws -> Int
) async rethrows -> [[Double]] {
    var nanoseconds = Array(repeating: [Double](), count: scenarios)
    let clock = ContinuousClock()
    for round in 0..<rounds {
        for offset in 0..<scenarios {
            let which = (round + offset) % scenarios
            let started = clock.now
            let operations = try await run(round, which)
            let (seconds, attoseconds) = started.duration(to: clock.now).components
            nanoseconds[which].append((Double(seconds) * 1e9 + Double(attoseconds) / 1e9) / Double(operations))
        }
    }
    return nanoseconds
}
