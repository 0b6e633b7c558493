/// The default clock: Swift's `ContinuousClock`, which keeps running while the machine sleeps.
public struct SystemCacheClock: CacheClock {
    private static let origin = ContinuousClock.now

    /// Creates the system clock.
    public init() {}

    public func now() -> Duration {
        ContinuousClock.now - Self.origin
    }
}
