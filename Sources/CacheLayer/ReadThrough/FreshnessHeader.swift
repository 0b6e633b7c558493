/// When a value written by a read-through stops being fresh, and how long the load that produced it took: what
/// `getOrLoad` and `readThrough` record in front of a value (see ``StoredFrame``) under a grace period, early refresh
/// or a maximum stale age.
///
/// The backend's own time-to-live is the fresh period plus what is kept past it, so the backend still drops the entry
/// when that ends. Values without the header are fresh for as long as the backend keeps them.
struct FreshnessHeader: Equatable, Sendable {
    /// The moment, on the freshness clock, the value stops being fresh.
    var freshUntil: Duration
    /// How long the load that produced the value took.
    var loadDuration: Duration
}
