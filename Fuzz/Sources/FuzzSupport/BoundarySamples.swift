import CacheLayer

/// Decides a few requests to each endpoint's path (its pattern with every variable segment filled in).
public func decideSamples(_ boundaries: CacheBoundaries) {
    let queries: [[(name: String, value: String)]] = [
        [],
        [("page", "1"), ("status", "open")],
        [("page", "2"), ("offset", "40"), ("limit", "20"), ("after", "")],
        [("offset", "0"), ("sort", "newest"), ("_", "1")],
    ]
    for endpoint in boundaries.endpoints {
        let path = endpoint.path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment == "**" ? "a/b" : segment.hasPrefix(":") || segment == "*" ? "x" : String(segment)
        }.joined(separator: "/")
        for method in ["GET", "HEAD", "POST"] {
            for query in queries {
                let decision = boundaries.decide(CacheRequest(method: method, path: path, query: query, userID: "u"))
                if let key = decision.key { expect(!key.isEmpty, "an empty cache key for \(path)") }
            }
        }
    }
}
