import CacheLayer
import CacheLayerRedis

/// Where the response cache keeps its entries: in this process (the default), or in Redis when `REDIS_URL` is set.
public enum ResponseCacheBackend: Sendable, CustomStringConvertible {
    /// An in-process LRU.
    case memory(MemoryBackend)
    /// A Redis server.
    case redis(RedisBackend, url: String)

    /// The in-memory budget: far more than the example's pages need, so nothing is evicted.
    public static let memoryBudget = 64 << 20

    /// `REDIS_URL` if the environment sets it, else a 64 MiB ``MemoryBackend``.
    public static func fromEnvironment(_ environment: [String: String]) throws -> ResponseCacheBackend {
        if let url = environment["REDIS_URL"], !url.isEmpty {
            return .redis(try RedisBackend(url: url), url: url)
        }
        return .memory(try MemoryBackend(byteBudget: Self.memoryBudget))
    }

    /// The backend, for `Cache(namespace:backend:)`.
    public var backend: any CacheBackend {
        switch self {
        case .memory(let backend): backend
        case .redis(let backend, _): backend
        }
    }

    /// Entries and bytes held, when this process can see them (the memory backend).
    public var memoryStatistics: MemoryBackend.Statistics? {
        if case .memory(let backend) = self { return backend.statistics }
        return nil
    }

    public var description: String {
        switch self {
        case .memory(let backend):
            "in-memory, \(backend.configuration.evictionPolicy.rawValue) eviction (MemoryBackend, "
                + "\(Self.memoryBudget >> 20) MiB budget)"
        case .redis(_, let url): "Redis at \(Self.redactingPassword(url))"
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
