import CacheLayer

/// Turns endpoint requests into a cache trace through a ``CacheLayer/PaginationBoundary``: each request the
/// boundary caches becomes a request for its canonical key, each request it bypasses becomes a bypass (a miss that
/// never touches the cache).
public enum BoundaryReplay {
    /// The trace `requests` make under `boundary`.
    public static func trace(_ requests: [EndpointRequest], through boundary: PaginationBoundary) -> RequestTrace {
        var builder = RequestTraceBuilder()
        for request in requests {
            switch boundary.decide(path: request.path, query: request.query.map { ($0.name, $0.value) }) {
            case .cache(let key):
                builder.append(key: key, size: request.responseSize)
            case .bypass:
                builder.appendBypass()
            }
        }
        return builder.result
    }
}
