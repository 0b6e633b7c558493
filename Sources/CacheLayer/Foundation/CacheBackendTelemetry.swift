import Tracing

/// What a backend adds to the spans the ``Cache`` records for its operations.
public struct CacheBackendTelemetry: Sendable {
    /// The span kind: `.internal` for an in-process store, `.client` for a remote server.
    public var spanKind: SpanKind
    /// Attributes set on every span, for example `db.system.name` and `server.address` for Redis.
    public var attributes: SpanAttributes

    /// Creates a description of a backend's spans.
    public init(spanKind: SpanKind, attributes: SpanAttributes = [:]) {
        self.spanKind = spanKind
        self.attributes = attributes
    }
}
