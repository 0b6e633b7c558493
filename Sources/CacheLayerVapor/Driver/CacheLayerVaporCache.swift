#if VaporSupport
import CacheLayer
import Logging
import NIOCore
import Vapor

/// Vapor's cache API (`app.cache`, `req.cache`) over a CacheLayer ``CacheLayer/Cache``: memory, Redis, a cluster or
/// two tiers, with the cache's spans, metrics, key validation and failure policy.
///
/// ```swift
/// let cache = try CacheLayer.Cache(namespace: "app", backend: MemoryBackend(byteBudget: 64 << 20))
/// app.caches.use(.cacheLayer(cache))
/// try await req.cache.set("greeting", to: "hello", expiresIn: .minutes(5))
/// ```
///
/// Values are encoded with the cache's codec (JSON by default) and stored as ``CacheLayer/Cache/put(_:value:ttl:)``
/// stores them, so the same keys read the same through either API. A value that does not decode as the type asked
/// for is a miss. Setting `nil` removes the key. Bad input (an invalid key, an expiry that is not positive) fails the
/// future with a ``CacheLayer/CacheError``; backend failures do so only when the cache's `failOpen` is off.
public struct CacheLayerVaporCache: Vapor.Cache, Sendable {
    /// The CacheLayer cache the values go to.
    public let cache: CacheLayer.Cache
    /// Where the futures complete: the request's event loop, or one of the application's.
    public let eventLoop: any EventLoop
    /// Where values that do not decode are logged: the request's logger, or the application's.
    public let logger: Logger

    /// A driver over `cache`, completing its futures on `eventLoop`.
    public init(cache: CacheLayer.Cache, eventLoop: any EventLoop, logger: Logger) {
        self.cache = cache
        self.eventLoop = eventLoop
        self.logger = logger
    }

    /// The value stored under `key`, decoded as `type`, or `nil` on a miss or when the bytes do not decode as it.
    public func get<T: Decodable>(_ key: String, as type: T.Type) -> EventLoopFuture<T?> {
        let cache = self.cache
        let logger = self.logger
        return self.eventLoop.makeFutureWithTask { () async throws -> [UInt8]? in
            try await cache.getBytes(key)
        }.map { bytes -> T? in
            guard let bytes else { return nil }
            do {
                return try cache.configuration.codec.decode(T.self, from: bytes)
            } catch {
                // Neither the key nor the codec's message (which may quote the value) is logged.
                logger.debug("cached value does not decode as \(T.self); treated as a miss")
                return nil
            }
        }
    }

    /// Stores `value` under `key` until it is evicted; `nil` removes the key.
    public func set<T: Encodable>(_ key: String, to value: T?) -> EventLoopFuture<Void> {
        self.set(key, to: value, expiresIn: nil)
    }

    /// Stores `value` under `key` for `expirationTime` (`nil`: until evicted); `nil` removes the key.
    public func set<T: Encodable>(
        _ key: String, to value: T?, expiresIn expirationTime: CacheExpirationTime?
    ) -> EventLoopFuture<Void> {
        let cache = self.cache
        guard let value else {
            return self.eventLoop.makeFutureWithTask { () async throws in
                _ = try await cache.remove(key)
            }
        }
        let bytes: [UInt8]
        do {
            bytes = try cache.configuration.codec.encode(value)
        } catch {
            return self.eventLoop.makeFailedFuture(
                CacheError(.encodeFailure, "the value of type \(T.self) did not encode", underlying: error))
        }
        let ttl = expirationTime.map { Duration.seconds($0.seconds) }
        return self.eventLoop.makeFutureWithTask { () async throws in
            try await cache.putBytes(key, bytes, ttl: ttl)
        }
    }

    /// The same cache, completing on `request`'s event loop and logging to its logger.
    public func `for`(_ request: Request) -> CacheLayerVaporCache {
        CacheLayerVaporCache(cache: self.cache, eventLoop: request.eventLoop, logger: request.logger)
    }
}
#endif
