/// Polls `condition` every 2 ms until it holds or `limit` has passed; returns whether it held. For waiting on a
/// state the test forced, never for a race to happen by itself.
func waitUntil(within limit: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return condition()
}
