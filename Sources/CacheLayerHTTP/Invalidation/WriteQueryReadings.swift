import CacheLayer

/// The ways a handler may have read a write's query, for the write's invalidation.
///
/// A cache key needs the one reading every handler agrees on, and a request whose query the adapter cannot read
/// that way bypasses the cache. A write cannot be skipped that way: its rule's tags must be invalidated whatever its
/// query holds (`?note=a+b`, a bare `?force`, a bad escape are ordinary on a write). So when the adapter's strict
/// reader refuses the query, the write is invalidated under each plausible reading of it, and the tags of all of
/// them are removed: more than needed at worst, never fewer.
package enum WriteQueryReadings {
    /// The query's parameters as `strict` reads them, or, when it refuses them, as sent and as a form decoder reads
    /// them (one reading when those agree). In both fallbacks the query is split at each `&` byte, empty parts are
    /// skipped, a part without `=` is a name with an empty value, and a part that does not decode is kept as sent.
    package static func readings(
        of query: String?, strict: (String?) -> [(name: String, value: String)]?
    ) -> [[(name: String, value: String)]] {
        if let parameters = strict(query) { return [parameters] }
        guard let query else { return [[]] }
        let asSent = Self.parameters(of: query) { part, isName in
            isName ? String(part) : PercentDecoding.decode(part) ?? String(part)
        }
        let asForm = Self.parameters(of: query) { part, _ in
            PercentDecoding.decode(part, plusIsSpace: true) ?? String(part)
        }
        let same = asSent.count == asForm.count && zip(asSent, asForm).allSatisfy { $0 == $1 }
        return same ? [asSent] : [asSent, asForm]
    }

    private static func parameters(
        of query: String, _ read: (Substring, _ isName: Bool) -> String
    ) -> [(name: String, value: String)] {
        var parameters: [(name: String, value: String)] = []
        for bytes in query.utf8.split(separator: UInt8(ascii: "&")) {
            // Split at ASCII bytes (searched as bytes, as the frameworks' readers do), so every piece is whole UTF-8.
            let part = query[bytes.startIndex..<bytes.endIndex]
            if let equals = bytes.firstIndex(of: UInt8(ascii: "=")) {
                parameters.append(
                    (read(part[..<equals], true), read(part[part.utf8.index(after: equals)...], false)))
            } else {
                parameters.append((read(part, true), ""))
            }
        }
        return parameters
    }
}

extension ResponseCache {
    /// What a write invalidates, read every way `requests` give it: every matching rule, and the tags of all the
    /// readings (each once); `nil` when no rule matches.
    func invalidation(forAnyOf requests: [CacheRequest]) -> TagInvalidation? {
        var rules: [String] = []
        var tags: [String] = []
        var skipped = 0
        for invalidation in requests.compactMap(self.boundaries.invalidation(for:)) {
            for rule in invalidation.rules { rules.appendUnlessHeld(rule) }
            for tag in invalidation.tags { tags.appendUnlessHeld(tag) }
            skipped = max(skipped, invalidation.skippedTemplates)
        }
        return rules.isEmpty ? nil : TagInvalidation(rules: rules, tags: tags, skippedTemplates: skipped)
    }
}
