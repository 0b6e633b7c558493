import InMemoryTracing
import Tracing

/// A short account of the spans an in-memory tracer saw: how many of each operation, the hit rate Sentry's Caches
/// pages would compute from the `cache.get` spans, and one request's trace as a tree.
public struct SpanSummary: Sendable {
    /// Spans by operation name.
    public var counts: [String: Int]
    /// `cache.get` spans with `cache.hit` true.
    public var cacheGetHits: Int
    /// `cache.get` spans with `cache.hit` false.
    public var cacheGetMisses: Int
    /// `cache.get` hits by the tier that answered (`cache.tier`: `memory` or `redis`), for a two-tier cache.
    public var cacheGetHitsByTier: [String: Int]
    /// One trace that stored a response (a request with a `cache.put`), one line per span, indented by depth.
    public var sampleTrace: [String]

    /// Summarises `spans` (none: an empty summary).
    public init(_ spans: [FinishedInMemorySpan] = []) {
        self.counts = spans.reduce(into: [:]) { $0[$1.operationName, default: 0] += 1 }
        var hits = 0
        var misses = 0
        var byTier: [String: Int] = [:]
        for span in spans where span.operationName == "cache.get" {
            if case .bool(let hit) = span.attributes.get("cache.hit") {
                if hit { hits += 1 } else { misses += 1 }
                if hit, case .string(let tier) = span.attributes.get("cache.tier") { byTier[tier, default: 0] += 1 }
            }
        }
        self.cacheGetHits = hits
        self.cacheGetMisses = misses
        self.cacheGetHitsByTier = byTier
        self.sampleTrace = []
        let sampleTraceID = spans.first { $0.operationName == "cache.put" }?.traceID ?? spans.first?.traceID
        guard let sampleTraceID else { return }
        let trace = spans.filter { $0.traceID == sampleTraceID }
        let children = Dictionary(grouping: trace) { $0.parentSpanID ?? "" }
        let ids = Set(trace.map(\.spanID))
        let roots = trace.filter { $0.parentSpanID.map { !ids.contains($0) } ?? true }
        var lines: [String] = []
        func walk(_ span: FinishedInMemorySpan, depth: Int) {
            lines.append(String(repeating: "  ", count: depth) + Self.describe(span))
            let ordered = (children[span.spanID] ?? []).sorted {
                $0.startInstant.nanosecondsSinceEpoch < $1.startInstant.nanosecondsSinceEpoch
            }
            for child in ordered { walk(child, depth: depth + 1) }
        }
        for root in roots { walk(root, depth: 0) }
        self.sampleTrace = lines
    }

    /// Adds `other`'s counts to these; keeps this sample trace, or takes `other`'s when this has none.
    public mutating func merge(_ other: SpanSummary) {
        self.counts.merge(other.counts, uniquingKeysWith: +)
        self.cacheGetHits += other.cacheGetHits
        self.cacheGetMisses += other.cacheGetMisses
        self.cacheGetHitsByTier.merge(other.cacheGetHitsByTier, uniquingKeysWith: +)
        if self.sampleTrace.isEmpty { self.sampleTrace = other.sampleTrace }
    }

    /// The summary's lines: counts, the `cache.get` hit and miss counts, the sample trace.
    public var lines: [String] {
        var lines = [
            "spans          "
                + self.counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
            "cache.get      hit \(self.cacheGetHits), miss \(self.cacheGetMisses) (what Sentry's Caches pages count)",
        ]
        if !self.cacheGetHitsByTier.isEmpty {
            lines.append(
                "hits by tier   "
                    + self.cacheGetHitsByTier.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                    .joined(separator: ", ") + " (the cache.get spans kept)")
        }
        if !self.sampleTrace.isEmpty {
            lines.append("sample trace (a request that stored its response):")
            lines += self.sampleTrace.map { "  " + $0 }
        }
        return lines
    }

    /// `name  12.3 ms  key=value ...` with the attributes that tell the story.
    private static func describe(_ span: FinishedInMemorySpan) -> String {
        let nanoseconds = span.endInstant.nanosecondsSinceEpoch &- span.startInstant.nanosecondsSinceEpoch
        var text = span.operationName + "  " + ReportText.milliseconds(Duration.nanoseconds(Int64(nanoseconds)))
        for name in [
            "http.response.status_code", "cache.key", "cache.hit", "cache.item_size", "cache.ttl", "db.system.name",
            "db.response.returned_rows",
        ] {
            if let value = span.attributes.get(name) {
                text += "  \(name)=\(Self.text(value))"
            }
        }
        return text
    }

    /// `200`, `true`, `sqlite`, `[a, b]`: the value without its type.
    private static func text(_ attribute: SpanAttribute) -> String {
        switch attribute {
        case .int32(let value): "\(value)"
        case .int64(let value): "\(value)"
        case .double(let value): "\(value)"
        case .bool(let value): "\(value)"
        case .string(let value): value
        case .stringArray(let values): "[" + values.joined(separator: ", ") + "]"
        default: "\(attribute)"
        }
    }
}
