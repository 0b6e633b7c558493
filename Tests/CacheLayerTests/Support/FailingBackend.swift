import CacheLayer
import Synchronization

/// A backend whose every call fails with a chosen error, standing in for a server that is down. Used only to
/// check how the facade reports failures; the Redis backend's own failure tests run against a real server.
final class FailingBackend: CacheBackend {
    let error: CacheError
    let telemetry = CacheBackendTelemetry(spanKind: .client, attributes: ["db.system.name": "test"])
    private let calls = Mutex(0)

    init(_ error: CacheError) {
        self.error = error
    }

    var callCount: Int { self.calls.withLock { $0 } }

    private func fail() throws(CacheError) -> Never {
        self.calls.withLock { $0 += 1 }
        throw self.error
    }

    func get(_ key: CacheKey) async throws(CacheError) -> [UInt8]? { try self.fail() }
    func get(_ keys: [CacheKey]) async throws(CacheError) -> [[UInt8]?] { try self.fail() }
    func set(_ key: CacheKey, to value: [UInt8], ttl: Duration?) async throws(CacheError) { try self.fail() }
    func setIfAbsent(_ key: CacheKey, to value: [UInt8], ttl: Duration?) async throws(CacheError) -> Bool { try self.fail() }
    func delete(_ key: CacheKey) async throws(CacheError) -> Bool { try self.fail() }
    func delete(_ key: CacheKey, ifValueEquals expected: [UInt8]) async throws(CacheError) -> Bool { try self.fail() }
    func deleteAll(in namespace: CacheNamespace) async throws(CacheError) { try self.fail() }
}
