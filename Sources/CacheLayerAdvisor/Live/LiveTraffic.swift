/// What a ``LiveTrafficSample`` saw: for each boundary, its exact request count over the time observed, and a sample
/// of its requests counted by page and filter, with their response sizes and the origin's time on misses. Codable,
/// so a server can write it to a file for `cachelayer-advise live`.
public struct LiveTraffic: Sendable, Codable, Equatable {
    /// One distinct request (path and query) of the sample.
    public struct Entry: Sendable, Codable, Equatable {
        /// The path.
        public var path: String
        /// The query, as `[name, value]` pairs in the order first seen.
        public var query: [[String]]
        /// How many sampled requests asked for it.
        public var count: Int
        /// The response's size in bytes, as last seen.
        public var responseSize: Int
        /// The origin's mean time for it, in milliseconds, over the sampled requests it served; `nil` when the
        /// sample never saw the origin serve it.
        public var originMilliseconds: Double?

        /// Creates an entry.
        public init(path: String, query: [[String]], count: Int, responseSize: Int, originMilliseconds: Double?) {
            self.path = path
            self.query = query
            self.count = count
            self.responseSize = responseSize
            self.originMilliseconds = originMilliseconds
        }

        /// The request it stands for.
        public var request: EndpointRequest {
            EndpointRequest(
                path: self.path,
                query: self.query.compactMap { $0.count == 2 ? EndpointRequest.Parameter($0[0], $0[1]) : nil },
                responseSize: self.responseSize
            )
        }
    }

    /// One boundary's traffic.
    public struct Boundary: Sendable, Codable, Equatable {
        /// Every request recorded for the boundary (not only the sampled ones).
        public var requests: Int
        /// Seconds between the sample's start and the snapshot.
        public var observedSeconds: Double
        /// The sampled requests, by distinct request.
        public var entries: [Entry]
        /// Requests the sample could not count by request because it already held its limit of distinct ones.
        public var uncounted: Int

        /// Creates a boundary's traffic.
        public init(requests: Int, observedSeconds: Double, entries: [Entry], uncounted: Int = 0) {
            self.requests = requests
            self.observedSeconds = observedSeconds
            self.entries = entries
            self.uncounted = uncounted
        }

        /// Requests per minute over the time observed.
        public var requestsPerMinute: Double {
            self.observedSeconds > 0 ? Double(self.requests) * 60 / self.observedSeconds : 0
        }

        /// The origin's mean time per request, weighted by how often each request was asked for (requests the
        /// origin was never seen to serve count at the mean of the others); `nil` when the origin was never timed.
        public var meanOriginMilliseconds: Double? {
            let timed = self.entries.filter { $0.originMilliseconds != nil }
            let timedCount = timed.reduce(0) { $0 + $1.count }
            guard timedCount > 0 else { return nil }
            return timed.reduce(0) { $0 + Double($1.count) * ($1.originMilliseconds ?? 0) } / Double(timedCount)
        }
    }

    /// Each boundary's traffic, by boundary name.
    public var boundaries: [String: Boundary]

    /// Creates a snapshot.
    public init(boundaries: [String: Boundary]) {
        self.boundaries = boundaries
    }
}
