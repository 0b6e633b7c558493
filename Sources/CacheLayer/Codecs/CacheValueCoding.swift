/// How ``Cache/readThrough(key:ttl:policy:tags:coding:loader:)`` turns a value into the bytes it stores, and back, for
/// values that have a byte format of their own (an HTTP response, say) or that are sometimes not to be stored.
///
/// ```swift
/// let coding = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })
/// ```
public struct CacheValueCoding<Value>: Sendable {
    /// The bytes to store for a value, or `nil` when this value must not be stored (a `no-store` response).
    public var encode: @Sendable (Value) throws -> [UInt8]?
    /// The value stored bytes stand for. Throwing makes the read a miss, counted and logged as undecodable.
    public var decode: @Sendable ([UInt8]) throws -> Value
    /// When a decoded value was written, on the cache's freshness clock, for a format that records it (an HTTP
    /// response's stored time): what the `cache.get` span's `cache.item_age` is measured from when the cache's own
    /// frame does not say. `nil` (the default): only the frame is asked.
    public var writtenAt: (@Sendable (Value) -> Duration?)?
    /// Where read-throughs keep the values this coding decoded, by the stored bytes they came from
    /// (``memoizing(in:)``); `nil`: every read decodes.
    package var decodedValues: DecodedValueLookup<Value>?

    /// Creates a coding from its two directions, and, for a format that records when it was written, how to read
    /// that time back (see ``writtenAt``).
    public init(
        encode: @escaping @Sendable (Value) throws -> [UInt8]?,
        decode: @escaping @Sendable ([UInt8]) throws -> Value,
        writtenAt: (@Sendable (Value) -> Duration?)? = nil
    ) {
        self.encode = encode
        self.decode = decode
        self.writtenAt = writtenAt
    }
}
