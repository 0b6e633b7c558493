/// Builds a ``RequestTrace`` from key strings, giving each distinct key an index the first time it is seen.
public struct RequestTraceBuilder: Sendable {
    private var indices: [String: Int32] = [:]
    private var trace = RequestTrace(keys: [], requests: [])

    /// Creates an empty builder.
    public init() {}

    /// Appends a request for `key`.
    public mutating func append(key: String, size: Int, ttlMilliseconds: Int64 = 0) {
        let index: Int32
        if let known = self.indices[key] {
            index = known
        } else {
            index = Int32(self.trace.keys.count)
            self.indices[key] = index
            self.trace.keys.append(key)
        }
        self.trace.requests.append(
            RequestTrace.Request(key: index, size: Int32(clamping: size), ttlMilliseconds: ttlMilliseconds))
    }

    /// Appends a request that bypasses the cache.
    public mutating func appendBypass() {
        self.trace.requests.append(.bypass)
    }

    /// The trace built so far.
    public var result: RequestTrace { self.trace }
}
