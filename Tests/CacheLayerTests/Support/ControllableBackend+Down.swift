import CacheLayer
import CacheLayerTesting

extension ControllableBackend {
    /// A backend whose every call fails with `error`, standing in for a remote server that is down (a client span,
    /// `db.system.name = test`). Used to check how the facade reports failures; the Redis backend's own failure
    /// tests run against a real server.
    static func down(_ error: CacheError) throws -> ControllableBackend {
        let backend = try ControllableBackend(
            telemetry: CacheBackendTelemetry(spanKind: .client, attributes: ["db.system.name": "test"])
        )
        backend.fail(with: error)
        return backend
    }
}
