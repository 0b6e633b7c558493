/// Turns typed values into the bytes a ``CacheBackend`` stores, and back.
public protocol CacheCodec: Sendable {
    /// Encodes `value` into bytes.
    func encode<Value: Encodable>(_ value: Value) throws -> [UInt8]
    /// Decodes a value of `type` from `bytes`.
    func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws -> Value
}
