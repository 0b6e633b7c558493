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

    /// `path` split at `/` as `String.split(separator:)` splits it (empty segments left out). An ASCII path (every
    /// path an HTTP/1 parser hands over) is split by its bytes, which gives the same segments faster; any other is
    /// split by `Character`, where a `/` followed by a combining mark is no separator.
    static func segments(of path: String) -> [Substring] {
        let utf8 = path.utf8
        func segment(_ start: Int, _ end: Int) -> Substring {
            path[utf8.index(utf8.startIndex, offsetBy: start)..<utf8.index(utf8.startIndex, offsetBy: end)]
        }
        let segments = utf8.withContiguousStorageIfAvailable { bytes -> [Substring]? in
            var segments: [Substring] = []
            var start = 0
            for (offset, byte) in bytes.enumerated() {
                guard byte < 0x80 else { return nil }
                guard byte == UInt8(ascii: "/") else { continue }
                if start != offset { segments.append(segment(start, offset)) }
                start = offset + 1
            }
            if start != bytes.count { segments.append(segment(start, bytes.count)) }
            return segments
        }
        return (segments ?? nil) ?? path.split(separator: "/")
    }

    /// Whether a path, split at `/` (``segments(of:)``), matches.
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
