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

    // MARK: Tags and guarded loads (defaults in CacheBackend+Tagging.swift)

    /// Stores `value` under `key` like ``set(_:to:ttl:)``, as a member of each of `tags`, so that
    /// ``invalidate(tags:)`` of any of them removes it. The default stores untagged values and throws
    /// ``CacheError/Code/unsupportedOperation`` for tagged ones.
    nonisolated(nonsending) func set(
        _ key: CacheKey, to value: [UInt8], ttl: Duration?, tags: [CacheTag]
    ) async throws(CacheError)

    /// Starts a read-through load of `key` whose value will carry `tags` and live at most `ttl` (`nil`: no
    /// expiry): called after the miss (or the stale hit) and before the loader runs. From now until the value
    /// is stored, a ``delete(_:)``, ``deleteAll(in:)`` or ``invalidate(tags:)`` of one of `tags` (in any process
    /// sharing the backend) makes ``finishLoad(of:storing:ttl:token:)`` refuse the value. The guard lasts
    /// `window`; a load that takes longer is not stored. The default guards nothing (``CacheLoadToken/unguarded``)
    /// and throws ``CacheError/Code/unsupportedOperation`` when `tags` is not empty.
    nonisolated(nonsending) func beginLoad(
        of key: CacheKey, tags: [CacheTag], ttl: Duration?, window: Duration
    ) async throws(CacheError) -> CacheLoadToken

    /// Stores the value of a load begun with ``beginLoad(of:tags:ttl:window:)`` unless the key was removed,
    /// invalidated or written since (then nothing is stored). Returns whether it stored the value. The default
    /// stores it with ``set(_:to:ttl:)`` whatever happened (no removal wins over a racing load there).
    nonisolated(nonsending) func finishLoad(
        of key: CacheKey, storing value: [UInt8], ttl: Duration?, token: CacheLoadToken
    ) async throws(CacheError) -> Bool

    /// Ends a load begun with ``beginLoad(of:tags:ttl:window:)`` that stores nothing (its loader asked not to cache
    /// the value, or the value is too large): returns whether the key still stands as it did when the load began,
    /// that is whether ``finishLoad(of:storing:ttl:token:)`` would have stored. `false` when the key was removed,
    /// invalidated or written since (in any process), or the window has passed. The cache hands such a value to the
    /// callers that joined the load after it began only when this returns `true`; the others read the key again.
    /// The default returns `true`: without a guard, a removal does not win.
    nonisolated(nonsending) func endLoad(of key: CacheKey, token: CacheLoadToken) async throws(CacheError) -> Bool

    /// Removes every entry stored with any of `tags` (``set(_:to:ttl:tags:)`` or a guarded load), in every process
    /// sharing the backend, and makes loads in flight with those tags refuse their values. When it returns, no
    /// read anywhere finds such an entry. The default throws ``CacheError/Code/unsupportedOperation``.
    nonisolated(nonsending) func invalidate(tags: [CacheTag]) async throws(CacheError)
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
