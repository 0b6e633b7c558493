/// The prefix that keeps one cache's keys apart from every other cache's on a shared backend.
///
/// A namespace is 1 to 128 bytes of UTF-8 and contains none of `:` (the separator backends put between the
/// namespace and the key, so two namespaces can never produce the same stored key), nor the glob characters
/// `*`, `?`, `[`, `]` and `\` (so a backend can select a namespace by pattern), nor control characters.
public struct CacheNamespace: Hashable, Sendable, CustomStringConvertible {
    /// The longest namespace accepted, in UTF-8 bytes.
    public static let maximumLength = 128

    /// The namespace text.
    public let name: String
    /// The name's hash, computed once: every key of the namespace hashes it, on every call.
    private let nameHash: Int

    /// Validates and creates a namespace.
    /// - Throws: ``CacheError/Code/invalidNamespace`` naming the offending character or length.
    public init(_ name: String) throws(CacheError) {
        try Self.validate(name)
        self.init(unchecked: name)
    }

    private init(unchecked name: String) {
        self.name = name
        var hasher = Hasher()
        UTF8Bytes.hash(name, into: &hasher)
        self.nameHash = hasher.finalize()
    }

    /// Where the locks of this namespace's keys live: the name followed by U+0001 and `lock`. No namespace made
    /// with the public initialiser can be it, since those never contain control characters.
    var lockNamespace: CacheNamespace {
        CacheNamespace(unchecked: self.name + "\u{1}lock")
    }

    private static func validate(_ name: String) throws(CacheError) {
        let length = name.utf8.count
        guard length > 0 else {
            throw CacheError(.invalidNamespace, "the namespace is empty")
        }
        guard length <= Self.maximumLength else {
            throw CacheError(
                .invalidNamespace,
                "the namespace is \(length) bytes long; the limit is \(Self.maximumLength)"
            )
        }
        for scalar in name.unicodeScalars {
            switch scalar {
            case ":", "*", "?", "[", "]", "\\":
                throw CacheError(
                    .invalidNamespace, "the namespace '\(name)' contains the reserved character '\(scalar)'")
            case _ where scalar.properties.generalCategory == .control:
                throw CacheError(
                    .invalidNamespace,
                    "the namespace contains the control character U+\(String(scalar.value, radix: 16, uppercase: true))"
                )
            default:
                continue
            }
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.nameHash)
    }

    /// Whether both names have the same UTF-8 bytes (byte-exact, like ``CacheKey``).
    public static func == (lhs: CacheNamespace, rhs: CacheNamespace) -> Bool {
        lhs.nameHash == rhs.nameHash && UTF8Bytes.equal(lhs.name, rhs.name)
    }

    public var description: String { self.name }
}
