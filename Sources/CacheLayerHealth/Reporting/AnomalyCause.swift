/// A likely cause of an anomaly, from the counters the monitor reads. Its ``name`` is the `kind` dimension of
/// `cache.anomalies` when it comes first.
public struct AnomalyCause: Sendable, Equatable, CustomStringConvertible {
    /// `key_cardinality`: new keys per minute jumped (a volatile parameter such as a timestamp or request id in
    /// the key, per-user or per-flag keys creeping in).
    public static let keyCardinality = "key_cardinality"
    /// `bypass`: the share of a bypass reason (`uncommon_filter`, `unknown_parameter`, ...) rose (a new filter or
    /// parameter, a changed client).
    public static let bypass = "bypass"
    /// `expirations`: entries expiring by TTL per minute rose (a shorter TTL, an invalidation mistake).
    public static let expirations = "expirations"
    /// `evictions`: entries dropped for room per minute rose (memory tier evicting entries younger than their TTL,
    /// Redis `evicted_keys`), or Redis is near its `maxmemory`.
    public static let evictions = "evictions"

    /// One of the names above.
    public var name: String
    /// What the counters showed, for a person: `"new keys 612/min, baseline 4/min"`.
    public var evidence: String
    /// How far the figure is from its baseline, to rank causes (the ratio of the rise to its allowance).
    public var strength: Double

    /// Creates a cause.
    public init(name: String, evidence: String, strength: Double) {
        self.name = name
        self.evidence = evidence
        self.strength = strength
    }

    public var description: String { "\(self.name) (\(self.evidence))" }
}
