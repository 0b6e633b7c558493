import Tracing

/// A span of a ``SamplingTracer``: the wrapped tracer's span when the trace is kept, a span that records nothing
/// (and costs nothing) when it is dropped, or a root waiting for its request's attributes to decide. Either way its
/// context carries the decision to the spans under it.
public struct SampledSpan<Wrapped: Span>: Span {
    enum Storage: Sendable {
        case kept(Wrapped)
        case dropped(NoOpTracer.NoOpSpan)
        /// A root whose decision waits for its request (``SamplingTracer/init(wrapping:alwaysKeeping:alwaysKeepingPaths:ratio:random:)``).
        case pending(PendingRoot<Wrapped>)
    }

    private let storage: Storage

    init(storage: Storage) {
        self.storage = storage
    }

    /// The storage, decided (a pending root decides now, by the ratio).
    private var decided: Storage {
        if case .pending(let root) = self.storage { return root.decided }
        return self.storage
    }

    /// The wrapped tracer's span, when the trace is kept.
    public var kept: Wrapped? {
        if case .kept(let span) = self.decided { return span }
        return nil
    }

    public var context: InstrumentationContext {
        switch self.decided {
        case .kept(let span):
            var context = span.context
            context.cacheLayerSampled = true
            return context
        case .dropped(let span):
            return span.context
        case .pending(let root):
            // `decided` is never pending; this reads the root's decision.
            return SampledSpan(storage: root.decided).context
        }
    }

    public var operationName: String {
        get {
            switch self.storage {
            case .kept(let span): span.operationName
            case .dropped(let span): span.operationName
            case .pending(let root): root.operationName
            }
        }
        nonmutating set {
            switch self.storage {
            case .kept(let span): span.operationName = newValue
            case .dropped: break
            case .pending(let root): root.operationName = newValue
            }
        }
    }

    public var attributes: SpanAttributes {
        get {
            switch self.storage {
            case .kept(let span): span.attributes
            case .dropped: [:]
            case .pending(let root): root.attributes
            }
        }
        nonmutating set {
            switch self.storage {
            case .kept(let span): span.attributes = newValue
            case .dropped: break
            case .pending(let root): root.attributes = newValue
            }
        }
    }

    /// Whether the span records: a root still waiting for its request counts as recording (its attributes decide).
    public var isRecording: Bool {
        switch self.storage {
        case .kept(let span): span.isRecording
        case .dropped: false
        case .pending: true
        }
    }

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
