/// A workload ready to replay: the distinct keys it touches, and the requests in order.
///
/// Requests refer to keys by index, so replaying a million requests does not hash a million strings more than the
/// backends themselves do. A request with no key is a bypass: a pagination boundary sent it to the origin, so it
/// counts as a request and a miss for every tier and never touches a cache.
public struct RequestTrace: Sendable {
    /// One request: which key, how many value bytes a miss stores, and the time-to-live it stores them with.
    public struct Request: Sendable, Hashable {
        /// Index into ``RequestTrace/keys``, or -1 for a request that bypasses the cache.
        public var key: Int32
        /// The value size, in bytes.
        public var size: Int32
        /// The time-to-live in milliseconds, or 0 for none.
        public var ttlMilliseconds: Int64

        /// Creates a request.
        public init(key: Int32, size: Int32, ttlMilliseconds: Int64 = 0) {
            self.key = key
            self.size = size
            self.ttlMilliseconds = ttlMilliseconds
        }

        /// A request that bypasses the cache.
        public static let bypass = Request(key: -1, size: 0)

        /// Whether the request goes to the cache at all.
        public var isCacheable: Bool { self.key >= 0 }
    }

    /// The distinct keys, as the cache sees them (without namespace).
    public var keys: [String]
    /// The requests, in order.
    public var requests: [Request]

    /// Creates a trace.
    public init(keys: [String], requests: [Request]) {
        self.keys = keys
        self.requests = requests
    }

    /// The requests that go to the cache.
    public var cacheableCount: Int { self.requests.reduce(0) { $0 + ($1.isCacheable ? 1 : 0) } }
}
