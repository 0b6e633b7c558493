import Tracing

/// A store of bytes under keys: the level below the ``Cache`` facade.
///
/// The in-memory backend (``MemoryBackend``) and the Redis backend conform; the facade never knows which one it
/// holds. Every operation is asynchronous, throws only ``CacheError``, and must be safe to call from many tasks
/// at once.
///
/// Time-to-live values are positive; `nil` means the entry does not expire.
public protocol CacheBackend: Sendable {
    /// How spans for this backend's operations are shaped (kind, and attributes such as the server address).
    /// Read once per recorded span, so it may change (a reconnect to another peer, say).
    var telemetry: CacheBackendTelemetry { get }

    /// The attributes for the span of an operation on `key` (a batch's first key; `nil` for a namespace flush),
    /// read when the operation ends. A backend that spreads keys over servers names the one holding `key`. The
    /// default is ``telemetry``'s attributes.
    func spanAttributes(forKey key: CacheKey?) -> SpanAttributes

    /// Returns the bytes stored under `key`, or `nil` when there are none or they have expired.
    nonisolated(nonsending) func get(_ key: CacheKey) async throws(CacheError) -> [UInt8]?

    /// ``get(_:)-(CacheKey)`` answered without suspending, by a backend that can (an in-process store):
    /// `.some(bytes)` or `.some(nil)` for a miss. `nil` (the default) means "ask ``get(_:)-(CacheKey)``"; the facade
    /// then does. Reads of a memory-tier cache save an async call this way.
    func getWithoutSuspending(_ key: CacheKey) -> [UInt8]??

    /// Returns the bytes stored under each key, in the order of `keys`.
    nonisolated(nonsending) func get(_ keys: [CacheKey]) async throws(CacheError) -> [[UInt8]?]

    /// Stores `value` under `key`, replacing any previous value.
    /// - Throws: ``CacheError/Code/valueTooLarge`` when the backend cannot hold the value; the previous value,
    ///   if any, is left in place.
    nonisolated(nonsending) func set(_ key: CacheKey, to value: [UInt8], ttl: Duration?) async throws(CacheError)

    /// Stores `value` under `key` only if no live value is there. Returns whether it stored the value.
    nonisolated(nonsending) func setIfAbsent(
        _ key: CacheKey, to value: [UInt8], ttl: Duration?
    ) async throws(CacheError) -> Bool

    /// Removes `key`. Returns whether a live value was removed.
    nonisolated(nonsending) func delete(_ key: CacheKey) async throws(CacheError) -> Bool

    /// Removes `key` only if its live value equals `expected` (an owner-checked delete, as a lock release needs).
    /// Returns whether it removed the value.
    nonisolated(nonsending) func delete(
        _ key: CacheKey, ifValueEquals expected: [UInt8]
    ) async throws(CacheError) -> Bool

    /// Removes every key of `namespace`, and nothing else.
    nonisolated(nonsending) func deleteAll(in namespace: CacheNamespace) async throws(CacheError)
}

extension CacheBackend {
    /// `nil`: this backend answers reads only through ``get(_:)``.
    public func getWithoutSuspending(_ key: CacheKey) -> [UInt8]?? {
        nil
    }

    /// ``telemetry``'s attributes, whatever the key.
    public func spanAttributes(forKey key: CacheKey?) -> SpanAttributes {
        self.telemetry.attributes
    }
}
