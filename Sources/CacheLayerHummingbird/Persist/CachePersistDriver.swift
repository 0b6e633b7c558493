import CacheLayer
import Hummingbird

/// A Hummingbird `PersistDriver` (the store behind sessions and `persist` data) over a CacheLayer ``Cache``: memory,
/// Redis, Redis Cluster or two-tier, with the cache's spans and metrics on every call.
///
/// ```swift
/// let cache = try Cache(namespace: "persist", backend: backend, configuration: .init(failOpen: false))
/// let persist = try CachePersistDriver(cache: cache)
/// try await persist.create(key: "session:1", value: session, expires: .seconds(3600))
/// ```
///
/// - `create` refuses a key that holds a value with `PersistError.duplicate`, atomically (``Cache/putIfAbsent(_:value:ttl:)``).
/// - `set` replaces the value; `expires` is its time-to-live. With `nil` the value keeps the expiry of the one it
///   replaces, as the protocol asks (none if there was none): `set` reads that value first, so a `set` racing another
///   write of the same key may carry over the expiry of either.
/// - `get` returns `nil` for a missing or expired key, and for a value that does not decode as the type asked for;
///   `getWithTTL` also returns the time the value has left (`nil` for a value that does not expire).
/// - An `expires` of zero or less stores nothing: `set` removes the key, `create` only checks for a duplicate.
///
/// Each value is stored with its expiry time on the cache's freshness clock (``Cache/Configuration/freshnessClock``),
/// encoded with the cache's codec, so values written by the driver are read back through it.
///
/// The cache must not fail open (``Cache/Configuration/failOpen`` `false`): a fail-open cache drops writes while its
/// backend is down, and its `create` could not tell a duplicate from an outage. Persisted data gets the backend's
/// error instead.
public struct CachePersistDriver: PersistDriver {
    /// The cache the values are stored in.
    public let cache: Cache

    /// A driver storing values in `cache`, through its codec and under its namespace.
    /// - Throws: ``CacheError/Code/invalidConfiguration`` when `cache` fails open (``Cache/Configuration/failOpen``).
    public init(cache: Cache) throws(CacheError) {
        guard !cache.configuration.failOpen else {
            throw CacheError(
                .invalidConfiguration,
                "a persist driver needs a cache that does not fail open (failOpen: false): a fail-open cache drops writes while its backend is down"
            )
        }
        self.cache = cache
    }

    /// Stores `value` under `key` for `expires` (`nil`: until evicted), unless `key` holds a value.
    /// - Throws: `PersistError.duplicate` when `key` holds a value; ``CacheError`` for a bad key or value, or a
    ///   backend failure when the cache does not fail open.
    public func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        if let expires, expires <= .zero {
            // Stored and expired at once: nothing to write, but a live value is still a duplicate.
            guard try await self.cache.getBytes(key) == nil else { throw PersistError.duplicate }
            return
        }
        let now = self.cache.freshnessNow()
        let stored = PersistedValue(
            expiresAt: expires.map { PersistedValue<Object>.expiry(after: $0, now: now) }, value: value)
        guard try await self.cache.putIfAbsent(key, value: stored, ttl: expires) else {
            throw PersistError.duplicate
        }
    }

    /// Stores `value` under `key` for `expires`, replacing any value there. With `expires` `nil` the value keeps the
    /// expiry of the value it replaces (none if there was none, or no value).
    /// - Throws: ``CacheError`` for a bad key or value, or a backend failure when the cache does not fail open.
    public func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        if let expires, expires <= .zero {
            try await self.cache.remove(key)
            return
        }
        let now = self.cache.freshnessNow()
        let expiresAt: Int64?
        if let expires {
            expiresAt = PersistedValue<Object>.expiry(after: expires, now: now)
        } else {
            // The previous value's type does not matter: only its expiry is read.
            expiresAt = try await self.cache.get(key, as: PersistedExpiry.self)?.expiresAt
        }
        let stored = PersistedValue(expiresAt: expiresAt, value: value)
        guard let ttl = stored.timeToLive(at: now) else {
            try await self.cache.put(key, value: stored)
            return
        }
        guard ttl > .zero else {
            // The value it replaces has just expired, and this one with it.
            try await self.cache.remove(key)
            return
        }
        try await self.cache.put(key, value: stored, ttl: ttl)
    }

    /// The value stored under `key`, or `nil` when there is none, it expired, or it does not decode as `Object`.
    public func get<Object: Codable & Sendable>(key: String, as object: Object.Type) async throws -> Object? {
        try await self.getWithTTL(key: key, as: object)?.object
    }

    /// The value stored under `key` and the time it has left (`nil` for a value that does not expire), or `nil` when
    /// there is none, it expired, or it does not decode as `Object`.
    public func getWithTTL<Object: Codable & Sendable>(
        key: String, as object: Object.Type
    ) async throws -> (object: Object, ttl: Duration?)? {
        guard let stored = try await self.cache.get(key, as: PersistedValue<Object>.self) else { return nil }
        let ttl = stored.timeToLive(at: self.cache.freshnessNow())
        if let ttl, ttl <= .zero { return nil }
        return (stored.value, ttl)
    }

    /// Removes the value stored under `key`, if any.
    public func remove(key: String) async throws {
        try await self.cache.remove(key)
    }
}
