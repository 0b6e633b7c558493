import CacheLayer
import HTTPTypes

/// The tags a handler puts on its response: `Cache-Tag` (comma-separated, as Cloudflare reads it) and
/// `Surrogate-Key` (space-separated, as Fastly reads it), every field of each. The response cache stores the entry
/// with them and, unless configured to keep them, removes both headers from what the client sees.
///
/// A handler (or the upstream it proxies) is not trusted to keep them small: more than the configured number of
/// tags, or one longer than ``CacheLayer/CacheTag/maximumLength`` bytes, is ``Outcome/overBound``, and the response is
/// sent but not stored (``NotStoredReason/tagHeaderOverBound``).
package enum ResponseTagHeaders {
    /// `Cache-Tag`.
    package static let cacheTag = HTTPField.Name("Cache-Tag")!
    /// `Surrogate-Key`.
    package static let surrogateKey = HTTPField.Name("Surrogate-Key")!
    /// The default bound on how many tags a response's headers may name.
    package static let defaultLimit = 64
    /// Both names.
    package static let names: [HTTPField.Name] = [Self.cacheTag, Self.surrogateKey]

    /// What a response's tag headers say.
    package enum Outcome: Equatable {
        /// The tags, each once, in header order (empty when there are none).
        case tags([String])
        /// Too many tags, or one too long.
        case overBound
    }

    /// The tags of `fields`, at most `limit` of them (after removing repeats).
    package static func read(_ fields: HTTPFields, limit: Int) -> Outcome {
        var tags: [String] = []
        // By bytes: a `Set<String>` would take a canonically equivalent spelling of a tag for the tag itself.
        var seen: Set<[UInt8]> = []
        for field in fields {
            let separator: Character
            switch field.name {
            case Self.cacheTag: separator = ","
            case Self.surrogateKey: separator = " "
            default: continue
            }
            for part in field.value.split(separator: separator) {
                let tag = Self.trimmed(part)
                guard !tag.isEmpty else { continue }
                guard tag.utf8.count <= CacheTag.maximumLength else { return .overBound }
                guard seen.insert(Array(tag.utf8)).inserted else { continue }
                guard tags.count < limit else { return .overBound }
                tags.append(tag)
            }
        }
        return .tags(tags)
    }

    /// `fields` without `Cache-Tag` and `Surrogate-Key`.
    package static func removed(from fields: HTTPFields) -> HTTPFields {
        var fields = fields
        for name in Self.names { fields[name] = nil }
        return fields
    }

    /// Whether `fields` has either header.
    package static func present(in fields: HTTPFields) -> Bool {
        Self.names.contains { fields[$0] != nil }
    }

    private static func trimmed(_ text: Substring) -> String {
        String(
            text.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed()
        )
    }
}
