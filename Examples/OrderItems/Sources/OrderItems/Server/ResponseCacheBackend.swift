import CacheLayer
import CacheLayerRedis

/// Where the response cache keeps its entries: in this process (the default), in Redis when `REDIS_URL` is set, or
/// in both when `CACHE_TIERS=two` is set too: a memory tier in front of Redis, kept coherent with every other
/// process's by Redis (so several servers can share one Redis and each answer from memory).
public enum ResponseCacheBackend: Sendable, CustomStringConvertible {
    /// An in-process LRU.
    case memory(MemoryBackend)
    /// A Redis server.
    case redis(RedisBackend, url: String)
    /// A memory tier in front of a Redis server.
    case twoTier(TwoTierBackend, url: String)

    /// The in-memory budget: far more than the example's pages need, so nothing is evicted.
    public static let memoryBudget = 64 << 20

    /// `REDIS_URL` if the environment sets it (with `CACHE_TIERS=two`, a 64 MiB memory tier in front of it), else a
    /// 64 MiB ``MemoryBackend``.
    /// - Throws: `CacheError` for a bad URL, or for `CACHE_TIERS` other than `one` or `two`, or `two` without
    ///   `REDIS_URL`.
    public static func fromEnvironment(_ environment: [String: String]) throws -> ResponseCacheBackend {
        let tiers = environment["CACHE_TIERS"].flatMap { $0.isEmpty ? nil : $0 } ?? "one"
        guard tiers == "one" || tiers == "two" else {
            throw CacheError(.invalidConfiguration, "CACHE_TIERS must be 'one' or 'two', got '\(tiers)'")
        }
        if let url = environment["REDIS_URL"], !url.isEmpty {
            guard tiers == "two" else { return .redis(try RedisBackend(url: url), url: url) }
            let memory = try MemoryBackend(byteBudget: Self.memoryBudget)
            return .twoTier(try TwoTierBackend(memory: memory, redis: try RedisBackend(url: url)), url: url)
        }
        guard tiers == "one" else {
            throw CacheError(.invalidConfiguration, "CACHE_TIERS=two needs REDIS_URL: the second tier is Redis")
        }
        return .memory(try MemoryBackend(byteBudget: Self.memoryBudget))
    }

    /// The backend, for `Cache(namespace:backend:)`.
    public var backend: any CacheBackend {
        switch self {
        case .memory(let backend): backend
        case .redis(let backend, _): backend
        case .twoTier(let backend, _): backend
        }
    }

    /// Entries and bytes held, when this process can see them (the memory backend).
    public var memoryStatistics: MemoryBackend.Statistics? {
        switch self {
        case .memory(let backend): backend.statistics
        case .twoTier(let backend, _): backend.memory.statistics
        case .redis: nil
        }
    }

    public var description: String {
        switch self {
        case .memory(let backend):
            "in-memory, \(backend.configuration.evictionPolicy.rawValue) eviction (MemoryBackend, "
                + "\(Self.memoryBudget >> 20) MiB budget)"
        case .redis(_, let url): "Redis at \(Self.redactingPassword(url))"
        case .twoTier(_, let url):
            "a \(Self.memoryBudget >> 20) MiB memory tier in front of Redis at \(Self.redactingPassword(url)), kept "
                + "coherent by Redis (TwoTierBackend)"
        }
    }

    /// The URL with any password replaced by `***`.
    private static func redactingPassword(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@"), let scheme = url.range(of: "://"), scheme.upperBound < at else {
            return url
        }
        let credentials = url[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}
