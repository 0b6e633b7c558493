import Tracing

/// Whether a trace is kept, decided once at its root and carried in the context to every span under it.
enum SamplingDecisionKey: InstrumentationContextKey {
    typealias Value = Bool
    static let nameOverride: String? = "cachelayer-sampled"
}

extension InstrumentationContext {
    /// The sampling decision of the trace this context belongs to: `true` kept, `false` dropped, `nil` not decided
    /// (a root).
    var cacheLayerSampled: Bool? {
        get { self[SamplingDecisionKey.self] }
        set { self[SamplingDecisionKey.self] = newValue }
    }
}

/// The sampled flag of a parent in another process, from its `traceparent` header field.
enum RemoteParentSampledKey: InstrumentationContextKey {
    typealias Value = Bool
    static let nameOverride: String? = "cachelayer-remote-parent-sampled"
}

extension InstrumentationContext {
    /// Whether the parent in another process was sampled, when the request said so.
    var remoteParentSampled: Bool? {
        get { self[RemoteParentSampledKey.self] }
        set { self[RemoteParentSampledKey.self] = newValue }
    }
}
