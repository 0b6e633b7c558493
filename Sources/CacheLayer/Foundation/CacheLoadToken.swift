/// What a backend hands a read-through load when it starts (``CacheBackend/beginLoad(of:tags:ttl:window:)``) and
/// takes back when the load stores its value (``CacheBackend/finishLoad(of:storing:ttl:token:)``): the backend's
/// proof that nothing removed or invalidated the key in between.
///
/// Its bytes mean something only to the backend that made it (a pending-load marker on Redis, a number in the
/// memory backend's load table); the empty token is the default implementation's, which guards nothing.
public struct CacheLoadToken: Hashable, Sendable {
    /// The backend's bytes.
    public let bytes: [UInt8]

    /// A token made of a backend's `bytes`.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The token of a backend that does not guard loads: its store always goes ahead.
    public static let unguarded = CacheLoadToken(bytes: [])
}
