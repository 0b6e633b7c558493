/// Polls `condition` every 2 ms until it holds or `limit` has passed; returns whether it held. For waiting on a
/// state the test forced, never for a race to happen by itself.
func waitUntil(within limit: Duration, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return condition()
}

/// Like ``waitUntil(within:_:)``, running `drive` before each look (to make something happen that the
/// condition waits for, such as calls that find a connection closed).
func waitUntil(within limit: Duration, _ condition: () -> Bool, drive: () async -> Void) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        await drive()
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return condition()
}
