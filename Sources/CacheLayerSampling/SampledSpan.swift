import Tracing

/// A span of a ``SamplingTracer``: the wrapped tracer's span when the trace is kept, a span that records nothing
/// (and costs nothing) when it is dropped. Either way its context carries the decision to the spans under it.
public struct SampledSpan<Wrapped: Span>: Span {
    enum Storage: Sendable {
        case kept(Wrapped)
        case dropped(NoOpTracer.NoOpSpan)
    }

    let storage: Storage

    /// The wrapped tracer's span, when the trace is kept.
    public var kept: Wrapped? {
        if case .kept(let span) = self.storage { return span }
        return nil
    }

    public var context: InstrumentationContext {
        switch self.storage {
        case .kept(let span):
            var context = span.context
            context.cacheLayerSampled = true
            return context
        case .dropped(let span):
            return span.context
        }
    }

    public var operationName: String {
        get {
            switch self.storage {
            case .kept(let span): span.operationName
            case .dropped(let span): span.operationName
            }
        }
        nonmutating set {
            if case .kept(let span) = self.storage { span.operationName = newValue }
        }
    }

    public var attributes: SpanAttributes {
        get {
            switch self.storage {
            case .kept(let span): span.attributes
            case .dropped: [:]
            }
        }
        nonmutating set {
            if case .kept(let span) = self.storage { span.attributes = newValue }
        }
    }

    public var isRecording: Bool { self.kept?.isRecording ?? false }

    public func setStatus(_ status: SpanStatus) { self.kept?.setStatus(status) }

    public func addEvent(_ event: SpanEvent) { self.kept?.addEvent(event) }

    public func recordError<Instant: TracerInstant>(
        _ error: Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant
    ) {
        self.kept?.recordError(error, attributes: attributes, at: instant())
    }

    public func addLink(_ link: SpanLink) { self.kept?.addLink(link) }

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        self.kept?.end(at: instant())
    }
}
