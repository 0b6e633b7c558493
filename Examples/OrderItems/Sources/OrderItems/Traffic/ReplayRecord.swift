/// What one replayed visit got back.
public struct ReplayRecord: Sendable {
    /// The visit.
    public var visit: Visit
    /// The HTTP status, or `nil` when the request failed.
    public var status: Int?
    /// The `X-Cache` header (`HIT`, `MISS`, `STALE`, `BYPASS`), or `nil` when missing.
    public var cacheStatus: String?
    /// The `Age` header, on hits.
    public var age: Int?
    /// The response body, when the sender kept it (see ``TrafficReplayer/send(_:keepingBody:client:clock:)``).
    public var body: [UInt8]
    /// The response body's size in bytes.
    public var bodySize: Int
    /// From sending the request to having read the whole body.
    public var latency: Duration
    /// Why the request failed, when it did.
    public var failure: String?

    /// Served from the cache (`HIT` or `STALE`).
    public var isCached: Bool { self.cacheStatus == "HIT" || self.cacheStatus == "STALE" }
    /// Computed by the handler (`MISS` or `BYPASS`).
    public var isUncached: Bool { self.cacheStatus == "MISS" || self.cacheStatus == "BYPASS" }
}
