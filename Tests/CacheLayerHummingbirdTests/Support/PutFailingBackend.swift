import CacheLayer

/// A memory backend whose writes fail as a Redis server that went down between the read and the write would: reads
/// miss, every `set` throws ``CacheLayer/CacheError/Code/backendUnavailable``.
final class PutFailingBackend: CacheBackend {
    private let memory: MemoryBackend
    let telemetry = CacheBackendTelemetry(spanKind: .client, attributes: ["db.system.name": "test"])

    init() throws {
        self.memory = try MemoryBackend(byteBudget: 1 << 20)
    }

    private static let down = CacheError(.backendUnavailable, "the test backend refuses every write")

    func get(_ key: CacheKey) async throws(CacheError) -> [UInt8]? { try await self.memory.get(key) }
    func get(_ keys: [CacheKey]) async throws(CacheError) -> [[UInt8]?] { try await self.memory.get(keys) }
    func set(_ key: CacheKey, to value: [UInt8], ttl: Duration?) async throws(CacheError) { throw Self.down }
    func setIfAbsent(_ key: CacheKey, to value: [UInt8], ttl: Duration?) async throws(CacheError) -> Bool { throw Self.down }
    func delete(_ key: CacheKey) async throws(CacheError) -> Bool { try await self.memory.delete(key) }
    func delete(_ key: CacheKey, ifValueEquals expected: [UInt8]) async throws(CacheError) -> Bool {
        try await self.memory.delete(key, ifValueEquals: expected)
    }
    func deleteAll(in namespace: CacheNamespace) async throws(CacheError) { try await self.memory.deleteAll(in: namespace) }
}
