import CacheLayer
import CacheLayerYAML
import FuzzSupport

// A boundaries file in YAML. Invariants besides "no trap": a file either loads or is refused with
// `invalid_configuration`; the boundaries it loads decide requests to each endpoint's own path without trapping, and
// a `.cache` key is never empty.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBoundaryYAML(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let boundaries: CacheBoundaries
    do {
        boundaries = try CacheBoundaries(
            yaml: String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self))
    } catch {
        expect(error.code == .invalidConfiguration, "a bad file threw \(error.code), not invalid_configuration")
        return 0
    }
    decideSamples(boundaries)
    return 0
}

/// Decides a few requests to each endpoint's path (its pattern with every variable segment filled in).
func decideSamples(_ boundaries: CacheBoundaries) {
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
