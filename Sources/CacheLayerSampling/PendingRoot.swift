import Synchronization
import Tracing

/// A root span whose sampling waits for its request: a framework's tracing middleware starts the request's span
/// before routing, named by the method alone (`HTTP GET route not found` in Hummingbird), and gives it the path
/// (`url.path`) in the attributes it sets right after. The decision is taken when those attributes arrive, or, if
/// something needs the span first (its context for a child, an event, its end), by the ratio at that moment; the
/// wrapped tracer's span is then started at the root's own start instant, with the attributes set so far.
final class PendingRoot<Wrapped: Span>: Sendable {
    enum State: Sendable {
        case pending(name: String, attributes: SpanAttributes)
        case decided(SampledSpan<Wrapped>.Storage)
    }

    private let state: Mutex<State>
    /// Whether the request these attributes describe is one to keep; `nil` when they do not say which request.
    private let keepsRequest: @Sendable (SpanAttributes) -> Bool?
    /// A draw against the ratio.
    private let draw: @Sendable () -> Bool
    /// Starts the wrapped tracer's span, with this name, at the root's start instant.
    private let start: @Sendable (String) -> Wrapped
    /// The context of the root when it is dropped.
    private let droppedContext: InstrumentationContext

    init(
        name: String,
        keepsRequest: @escaping @Sendable (SpanAttributes) -> Bool?,
        draw: @escaping @Sendable () -> Bool,
        droppedContext: InstrumentationContext,
        start: @escaping @Sendable (String) -> Wrapped
    ) {
        self.state = Mutex(.pending(name: name, attributes: [:]))
        self.keepsRequest = keepsRequest
        self.draw = draw
        self.droppedContext = droppedContext
        self.start = start
    }

    /// The root as decided, deciding now by the ratio if it is still pending.
    var decided: SampledSpan<Wrapped>.Storage {
        self.state.withLock { state in
            switch state {
            case .decided(let storage):
                return storage
            case .pending(let name, let attributes):
                let storage = self.decide(name: name, attributes: attributes, keep: self.draw())
                state = .decided(storage)
                return storage
            }
        }
    }

    var operationName: String {
        get {
            self.state.withLock { state in
                switch state {
                case .pending(let name, _): return name
                case .decided(let storage): return SampledSpan(storage: storage).operationName
                }
            }
        }
        set {
            self.state.withLock { state in
                switch state {
                case .pending(_, let attributes): state = .pending(name: newValue, attributes: attributes)
                case .decided(let storage):
                    let span = SampledSpan(storage: storage)
                    span.operationName = newValue
                }
            }
        }
    }

    var attributes: SpanAttributes {
        get {
            self.state.withLock { state in
                switch state {
                case .pending(_, let attributes): return attributes
                case .decided(let storage): return SampledSpan(storage: storage).attributes
                }
            }
        }
        set {
            self.state.withLock { state in
                switch state {
                case .pending(let name, _):
                    // Decided as soon as the attributes say which request this is.
                    if let keep = self.keepsRequest(newValue) {
                        state = .decided(self.decide(name: name, attributes: newValue, keep: keep || self.draw()))
                    } else {
                        state = .pending(name: name, attributes: newValue)
                    }
                case .decided(let storage):
                    let span = SampledSpan(storage: storage)
                    span.attributes = newValue
                }
            }
        }
    }

    private func decide(name: String, attributes: SpanAttributes, keep: Bool) -> SampledSpan<Wrapped>.Storage {
        guard keep else { return .dropped(NoOpTracer.NoOpSpan(context: self.droppedContext)) }
        let span = self.start(name)
        span.attributes = attributes
        return .kept(span)
    }
}

/// An instant recorded as nanoseconds since the epoch, to start a span later at the moment it began.
struct RecordedInstant: TracerInstant {
    let nanosecondsSinceEpoch: UInt64

    static func < (lhs: Self, rhs: Self) -> Bool { lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch }
}
