/// A tag on cache entries: a name the application gives to every entry that depends on one thing (an order, a
/// store), so that ``Cache/invalidate(tags:)`` can make all of them a miss at once.
///
/// A tag belongs to a namespace, as keys do: invalidating `"orders"` in the cache `admin` leaves the entries of
/// the cache `shop` alone. Names are byte-exact, like keys: `"Orders"` and `"orders"` are two tags.
public struct CacheTag: Hashable, Sendable, CustomStringConvertible {
    /// The namespace the tag belongs to.
    public let namespace: CacheNamespace
    /// The tag's name within the namespace.
    public let name: String

    /// The longest tag name, in UTF-8 bytes.
    public static let maximumLength = 256

    /// Creates a tag, after checking its name.
    /// - Throws: ``CacheError/Code/invalidTag`` when `name` is empty or longer than ``maximumLength`` bytes. The
    ///   message gives the length, never the name (tags may be built from personal data).
    public init(namespace: CacheNamespace, name: String) throws(CacheError) {
        try Self.validate(name: name)
        self.namespace = namespace
        self.name = name
    }

    /// Checks a tag name as ``init(namespace:name:)`` does, without making a tag.
    /// - Throws: ``CacheError/Code/invalidTag``.
    static func validate(name: String) throws(CacheError) {
        let length = name.utf8.count
        guard length > 0 else { throw CacheError(.invalidTag, "a tag is empty") }
        guard length <= Self.maximumLength else {
            throw CacheError(.invalidTag, "a tag is \(length) bytes long; the limit is \(Self.maximumLength)")
        }
    }

    /// The flat form, `namespace:name`.
    public var description: String { "\(self.namespace.name):\(self.name)" }

    /// Whether both tags have the same namespace and the same UTF-8 bytes.
    public static func == (lhs: CacheTag, rhs: CacheTag) -> Bool {
        lhs.namespace == rhs.namespace && lhs.name.utf8.elementsEqual(rhs.name.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.namespace)
        for byte in self.name.utf8 { hasher.combine(byte) }
    }
}
