/// The limit every stored time-to-live obeys, here at the bottom so that the policies, the lock and the facade
/// share one number without depending on each other. ``Cache/maximumTTL`` is its public name.
enum CacheTTL {
    /// 100 years of 365 days (3,153,600,000 s). See ``Cache/maximumTTL``.
    static let maximum: Duration = .seconds(3_153_600_000)
}
