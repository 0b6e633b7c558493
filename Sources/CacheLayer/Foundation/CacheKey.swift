#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A key as backends see it: the cache's namespace and the caller's key, kept apart.
///
/// Backends that need one flat key (Redis) write `namespace:key`; since a namespace never contains `:`, two
/// different pairs never flatten to the same key. The in-memory backend hashes the pair without building a
/// string.
///
/// Keys are byte-exact on every backend: two keys are equal only when their UTF-8 bytes are (Swift's `String`
/// equality is canonical equivalence, under which the NFC `"café"` and the NFD `"cafe\u{301}"` are equal; as
/// keys they are two, as they are in Redis). Normalise keys before caching if two spellings should share an entry.
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

    /// Whether both keys have the same namespace and the same UTF-8 bytes.
    @inlinable
    public static func == (lhs: CacheKey, rhs: CacheKey) -> Bool {
        lhs.namespace == rhs.namespace && UTF8Bytes.equal(lhs.key, rhs.key)
    }

    /// Hashes the namespace and the key's UTF-8 bytes.
    @inlinable
    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.namespace)
        UTF8Bytes.hash(self.key, into: &hasher)
    }
}

/// Byte-exact comparison and hashing of strings, for keys and namespaces.
@usableFromInline
enum UTF8Bytes {
    /// Whether `lhs` and `rhs` have the same UTF-8 bytes: one length check and a `memcmp` for native strings.
    @inlinable
    static func equal(_ lhs: String, _ rhs: String) -> Bool {
        // Bit-identical values are one string (one small string, or one storage object of one length), so equal
        // without a look at the bytes: the common case of a memory-tier lookup, where the stored key and the caller's
        // share their namespace's storage, and a short key is a small string.
        if MemoryLayout<String>.size == 16,
            unsafeBitCast(lhs, to: (UInt64, UInt64).self) == unsafeBitCast(rhs, to: (UInt64, UInt64).self)
        {
            return true
        }
        let fast = lhs.utf8.withContiguousStorageIfAvailable { left in
            rhs.utf8.withContiguousStorageIfAvailable { right in
                left.count == right.count
                    && (left.count == 0 || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0)
            }
        }
        if let fast, let equal = fast { return equal }
        return lhs.utf8.elementsEqual(rhs.utf8)
    }

    /// Feeds the UTF-8 bytes of `string`, then its length, to `hasher`.
    @inlinable
    static func hash(_ string: String, into hasher: inout Hasher) {
        let hashed: Void? = string.utf8.withContiguousStorageIfAvailable { bytes in
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        }
        if hashed == nil {
            for byte in string.utf8 { hasher.combine(byte) }
        }
        hasher.combine(string.utf8.count)
    }
}
