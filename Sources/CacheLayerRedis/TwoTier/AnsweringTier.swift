#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which tier answered the last read on this thread, for the `cache.tier` span attribute.
///
/// The ``CacheLayer/Cache`` facade asks a backend for span attributes (``TwoTierBackend/spanAttributes(forKey:)``)
/// right after the operation returns, on the same thread and with no suspension in between (the operation and the
/// facade both run on the caller's executor, `nonisolated(nonsending)`). So each operation records its tier on its
/// thread just before it returns, and the attributes take it from there. A per-thread slot rather than a field:
/// concurrent calls on other threads never see it.
enum AnsweringTier: Int {
    /// Not a read, or nothing recorded.
    case none = 0
    case memory = 1
    case redis = 2

    /// The attribute value.
    var name: String? {
        switch self {
        case .none: nil
        case .memory: "memory"
        case .redis: "redis"
        }
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        precondition(status == 0, "pthread_key_create failed: \(status)")
        return key
    }()

    /// Records the tier that answered this thread's current operation.
    static func record(_ tier: AnsweringTier) {
        pthread_setspecific(Self.key, UnsafeRawPointer(bitPattern: tier.rawValue))
    }

    /// The tier recorded on this thread, cleared.
    static func take() -> AnsweringTier {
        let raw = Int(bitPattern: pthread_getspecific(Self.key))
        if raw != 0 {
            pthread_setspecific(Self.key, nil)
        }
        return AnsweringTier(rawValue: raw) ?? .none
    }
}
