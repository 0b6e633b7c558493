import CacheLayer

/// The benchmark suite's workload: 10,000 keys shaped like `user:00001234`, each with its own 100-byte value.
enum Workload {
    static let keyCount = 10_000

    /// `user:` and `index` zero-padded to 8 digits.
    static func key(_ index: Int) -> String {
        let digits = String(index)
        return "user:" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// 100 bytes, never starting with 0xCA: the cache reads such stored bytes as one of its framed values, so
    /// `Cache.getBytes` would miss a value the benchmark wrote straight into the backend.
    static func value(_ index: Int) -> [UInt8] {
        [UInt8](repeating: UInt8(truncatingIfNeeded: index % 200), count: 100)
    }

    /// A 64 MiB `MemoryBackend` holding every key under the namespace `bench`, and the keys as the backend sees them.
    static func filledBackend() async throws -> (MemoryBackend, [CacheKey]) {
        let backend = try MemoryBackend(byteBudget: 64 << 20)
        let namespace = try CacheNamespace("bench")
        let keys = (0..<Self.keyCount).map { CacheKey(namespace: namespace, key: Self.key($0)) }
        for (index, key) in keys.enumerated() {
            try await backend.set(key, to: Self.value(index), ttl: nil)
        }
        return (backend, keys)
    }

    /// `count` indices from `start` on, wrapping round the key space.
    static func indices(from start: Int, _ count: Int) -> some Sequence<Int> {
        (0..<count).lazy.map { (start + $0) % Self.keyCount }
    }
}
