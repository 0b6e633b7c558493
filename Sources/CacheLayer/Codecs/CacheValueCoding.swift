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

    /// Creates a coding from its two directions.
    public init(
        encode: @escaping @Sendable (Value) throws -> [UInt8]?, decode: @escaping @Sendable ([UInt8]) throws -> Value
    ) {
        self.encode = encode
        self.decode = decode
    }
}
