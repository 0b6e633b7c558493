/// A ``CacheEndpoint`` path pattern, split once: literal segments, `:name` or `*` for any one segment, and a
/// final `**` for any rest.
struct PathPattern: Sendable {
    private enum Segment: Sendable, Equatable {
        case literal(Substring)
        case any
        case rest
    }

    private let segments: [Segment]

    init(_ pattern: String) {
        let parts = pattern.split(separator: "/")
        self.segments = parts.enumerated().map { index, part in
            if part == "**" && index == parts.count - 1 { return .rest }
            return part == "*" || part.hasPrefix(":") ? .any : .literal(part)
        }
    }

    /// Whether a path, split at `/`, matches.
    func matches(_ path: [Substring]) -> Bool {
        for (index, segment) in self.segments.enumerated() {
            switch segment {
            case .rest: return true
            case _ where index >= path.count: return false
            case .any: continue
            case .literal(let literal): if literal != path[index] { return false }
            }
        }
        return self.segments.count == path.count
    }
}
