/// A key as backends see it: the cache's namespace and the caller's key, kept apart.
///
/// Backends that need one flat key (Redis) write `namespace:key`; since a namespace never contains `:`, two
/// different pairs never flatten to the same key. The in-memory backend hashes the pair without building a
/// string.
public struct CacheKey: Hashable, Sendable, CustomStringConvertible {
    /// The namespace the key belongs to.
    public let namespace: CacheNamespace
    /// The caller's key within the namespace.
    public let key: String

    /// Creates a backend key. Key validation (empty, too long) is the ``Cache``'s job; backends accept any key.
    public init(namespace: CacheNamespace, key: String) {
        self.namespace = namespace
        self.key = key
    }

    /// The flat form, `namespace:key`.
    public var description: String { "\(self.namespace.name):\(self.key)" }

    /// The UTF-8 length of the flat form, without building it.
    public var flatByteCount: Int { self.namespace.name.utf8.count + 1 + self.key.utf8.count }
}
