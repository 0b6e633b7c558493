import CoreMetrics

/// A cache client: typed and raw reads and writes under one namespace, over any ``CacheBackend``.
///
/// Every call is recorded as a `cache.get`, `cache.put`, `cache.remove` or `cache.flush` span with the
/// attributes Sentry's Caches module and OpenTelemetry tools read, counted and timed through swift-metrics, and
/// logged at debug level; all of it costs next to nothing when no tracer, metrics or log handler is set up.
///
/// ```swift
/// let cache = try Cache(namespace: "products", backend: MemoryBackend(byteBudget: 64 << 20))
/// try await cache.put("product:42", value: product, ttl: .seconds(60))
/// let cached = try await cache.get("product:42", as: Product.self)
/// ```
///
/// `Cache` is a value type; copies share the backend.
public struct Cache: Sendable {
    /// The namespace this cache reads and writes, and the `cache` dimension of its metrics.
    public let namespace: CacheNamespace
    /// The configuration the cache was made with.
    public let configuration: Configuration

    let backend: any CacheBackend
    let observer: OperationObserver

    /// Creates a cache over `backend` whose keys live under `namespace`.
    /// - Throws: ``CacheError/Code/invalidNamespace`` for a bad namespace, ``CacheError/Code/invalidConfiguration``
    ///   for a non-positive maximum key length.
    public init(namespace: String, backend: any CacheBackend, configuration: Configuration = .init()) throws(CacheError) {
        guard configuration.maximumKeyLength > 0 else {
            throw CacheError(
                .invalidConfiguration,
                "maximumKeyLength must be positive, got \(configuration.maximumKeyLength)"
            )
        }
        self.namespace = try CacheNamespace(namespace)
        self.configuration = configuration
        self.backend = backend
        self.observer = OperationObserver(
            cacheName: namespace,
            tracer: configuration.tracer,
            keyCapture: configuration.keyCapture,
            logger: configuration.logger,
            metrics: CacheMetrics(factory: configuration.metricsFactory ?? MetricsSystem.factory, cacheName: namespace),
            backend: backend
        )
    }

    // MARK: Raw bytes

    /// Returns the bytes stored under `key`, or `nil` on a miss. The bytes are the backend's own (no copy is made
    /// for the in-memory backend).
    public nonisolated(nonsending) func getBytes(_ key: String) async throws(CacheError) -> [UInt8]? {
        try await self.read(key) { bytes in bytes }
    }

    /// Returns the bytes stored under each key, in order. The span counts a hit only when every key was found.
    public nonisolated(nonsending) func getBytes(_ keys: [String]) async throws(CacheError) -> [[UInt8]?] {
        let cacheKeys = try keys.map { (key) throws(CacheError) in try self.makeKey(key) }
        let operation = self.observer.begin(.get, keys: .many(cacheKeys))
        do {
            let values = try await self.backend.get(cacheKeys)
            let size = values.reduce(0) { $0 + ($1?.count ?? 0) }
            let allFound = !values.isEmpty && values.allSatisfy { $0 != nil }
            self.observer.end(operation, allFound ? .hit(size: size) : .miss(size: size))
            return values
        } catch {
            self.observer.end(operation, .failed(error))
            guard self.configuration.failOpen && error.isBackendFailure else { throw error }
            return Array(repeating: nil, count: keys.count)
        }
    }

    /// Stores `bytes` under `key` for `ttl` (`nil`: until evicted).
    /// - Throws: ``CacheError/Code/invalidKey``, ``CacheError/Code/invalidTTL``,
    ///   ``CacheError/Code/valueTooLarge``; backend failures only when ``Configuration/failOpen`` is `false`.
    public nonisolated(nonsending) func putBytes(_ key: String, _ bytes: [UInt8], ttl: Duration? = nil) async throws(CacheError) {
        let cacheKey = try self.makeKey(key)
        try self.validate(ttl: ttl)
        try await self.write(cacheKey, bytes, ttl: ttl)
    }

    // MARK: Removal

    /// Removes `key`. Returns whether a value was there.
    @discardableResult
    public nonisolated(nonsending) func remove(_ key: String) async throws(CacheError) -> Bool {
        let cacheKey = try self.makeKey(key)
        let operation = self.observer.begin(.remove, keys: .one(cacheKey))
        do {
            let removed = try await self.backend.delete(cacheKey)
            self.observer.end(operation, .removed)
            return removed
        } catch {
            self.observer.end(operation, .failed(error))
            guard self.configuration.failOpen && error.isBackendFailure else { throw error }
            return false
        }
    }

    /// Removes every key of this cache's namespace, and nothing else on the backend.
    public nonisolated(nonsending) func removeAll() async throws(CacheError) {
        let operation = self.observer.begin(.flush, keys: .none)
        do {
            try await self.backend.deleteAll(in: self.namespace)
            self.observer.end(operation, .removed)
        } catch {
            self.observer.end(operation, .failed(error))
            guard self.configuration.failOpen && error.isBackendFailure else { throw error }
        }
    }

    // MARK: Shared paths

    /// Reads `key` and turns the bytes into a `Value`; a `transform` that throws makes the read a miss.
    nonisolated(nonsending) func read<Value>(
        _ key: String,
        _ transform: ([UInt8]) throws(CacheError) -> Value
    ) async throws(CacheError) -> Value? {
        let cacheKey = try self.makeKey(key)
        let operation = self.observer.begin(.get, keys: .one(cacheKey))
        let bytes: [UInt8]?
        do {
            bytes = try await self.backend.get(cacheKey)
        } catch {
            self.observer.end(operation, .failed(error))
            guard self.configuration.failOpen && error.isBackendFailure else { throw error }
            return nil
        }
        guard let bytes else {
            self.observer.end(operation, .miss(size: 0))
            return nil
        }
        do {
            let value = try transform(bytes)
            self.observer.end(operation, .hit(size: bytes.count))
            return value
        } catch {
            self.observer.end(operation, .undecodable(size: bytes.count, error: error))
            return nil
        }
    }

    nonisolated(nonsending) func write(_ key: CacheKey, _ bytes: [UInt8], ttl: Duration?) async throws(CacheError) {
        let operation = self.observer.begin(.put, keys: .one(key))
        do {
            try await self.backend.set(key, to: bytes, ttl: ttl)
            self.observer.end(operation, .written(true, size: bytes.count, ttl: ttl))
        } catch {
            self.observer.end(operation, .failed(error))
            guard self.configuration.failOpen && error.isBackendFailure else { throw error }
        }
    }

    func makeKey(_ key: String) throws(CacheError) -> CacheKey {
        let length = key.utf8.count
        guard length > 0 else {
            throw CacheError(.invalidKey, "the key is empty")
        }
        guard length <= self.configuration.maximumKeyLength else {
            throw CacheError(
                .invalidKey,
                "the key is \(length) bytes long; the limit is \(self.configuration.maximumKeyLength)"
            )
        }
        return CacheKey(namespace: self.namespace, key: key)
    }

    func validate(ttl: Duration?) throws(CacheError) {
        if let ttl, ttl <= .zero {
            throw CacheError(.invalidTTL, "the time-to-live must be positive, got \(ttl)")
        }
    }
}
