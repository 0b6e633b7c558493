import Tracing

/// A tracer that keeps every trace of the operations you name and a ratio of the others, and passes the kept ones
/// to the tracer it wraps (swift-otel's, say, whose sampler protocol is not public).
///
/// ```swift
/// let otel = try await OTel.bootstrap(...)  // or any `Tracer`
/// let tracer = SamplingTracer(
///     wrapping: otelTracer,
///     alwaysKeeping: ["GET /admin/order-items", "POST /checkout"],
///     ratio: 0.05
/// )
/// InstrumentationSystem.bootstrap(tracer)
/// ```
///
/// The decision is taken once per trace in this process, at its root span, and every span under it follows it. A
/// root is kept when its operation name is one to keep, or when its parent in another process was sampled (the W3C
/// `traceparent` sampled flag, read by ``extract(_:into:using:)``), so a sampled caller's trace stays whole. A root
/// whose remote parent was not sampled is dropped (unless its operation is one to keep); any other root is kept
/// with probability `ratio`. Dropped spans record nothing and never reach the wrapped tracer.
///
/// The root's operation name is read when the root span starts. A framework that names its request span only after
/// routing (Hummingbird's `TracingMiddleware` starts it as `HTTP GET route not found` and renames it to the route's
/// path once matched) shows this tracer the method alone: to keep chosen routes there, choose them by path
/// (``init(wrapping:alwaysKeeping:alwaysKeepingPaths:ratio:random:)``), which reads the span's `url.path`.
///
/// Sampling only thins traces: CacheLayer's metrics (`cache.requests`, `cache.boundary_decisions`, the boundaries'
/// `BoundaryStatistics`) are counted on every call whatever this tracer drops, so miss rates stay
/// exact.
public struct SamplingTracer<Wrapped: Tracer>: Tracer {
    /// The tracer that receives the kept traces.
    public let wrapped: Wrapped
    /// Whether a root span of this operation name is always kept.
    private let keepsAll: @Sendable (String) -> Bool
    /// Whether the request a root's attributes describe is always kept (`nil`: they do not say which request);
    /// `nil` when no path is chosen, and roots are decided when they start.
    private let keepsRequest: (@Sendable (SpanAttributes) -> Bool?)?
    /// The share of other traces kept, 0...1.
    public let ratio: Double
    private let random: @Sendable () -> Double

    /// Creates a tracer that keeps every trace rooted in one of `operations` (exact operation names as the root
    /// span starts with them; see the note on frameworks that rename it after routing) and `ratio` of the others.
    /// - Parameter random: a uniform draw in `0..<1` per undecided root (a seeded source in tests).
    public init(
        wrapping wrapped: Wrapped,
        alwaysKeeping operations: Set<String>,
        ratio: Double,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.init(wrapping: wrapped, alwaysKeeping: { operations.contains($0) }, ratio: ratio, random: random)
    }

    /// Creates a tracer that keeps every trace whose root's operation name satisfies `keepsAll` and `ratio` of the
    /// others.
    public init(
        wrapping wrapped: Wrapped,
        alwaysKeeping keepsAll: @escaping @Sendable (String) -> Bool,
        ratio: Double,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.wrapped = wrapped
        self.keepsAll = keepsAll
        self.keepsRequest = nil
        self.ratio = min(max(ratio, 0), 1)
        self.random = random
    }

    /// Creates a tracer that keeps every trace rooted in one of `operations`, every trace of a request whose path
    /// starts with one of `paths`, and `ratio` of the others.
    ///
    /// The path is the root span's `url.path` attribute (OpenTelemetry's name, which the tracing middleware of
    /// Hummingbird and Vapor set just after starting the request's span, before routing has named it). A root that
    /// no operation name decides waits for that attribute: the wrapped tracer's span is started then, at the root's
    /// own start instant. A root that something needs before (its context, for a span under it) is decided by the
    /// ratio at that moment.
    ///
    /// ```swift
    /// let tracer = SamplingTracer(
    ///     wrapping: otelTracer, alwaysKeepingPaths: ["/admin/order-items", "/checkout"], ratio: 0.05)
    /// ```
    public init(
        wrapping wrapped: Wrapped,
        alwaysKeeping operations: Set<String> = [],
        alwaysKeepingPaths paths: [String],
        ratio: Double,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.wrapped = wrapped
        self.keepsAll = { operations.contains($0) }
        self.keepsRequest = { attributes in
            guard case .string(let path)? = attributes["url.path"]?.toSpanAttribute() else { return nil }
            return paths.contains { path.hasPrefix($0) }
        }
        self.ratio = min(max(ratio, 0), 1)
        self.random = random
    }

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String,
        context: @autoclosure () -> InstrumentationContext,
        ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant,
        function: String,
        file fileID: String,
        line: UInt
    ) -> SampledSpan<Wrapped.Span> {
        var parent = context()
        let keep: Bool
        if let decided = parent.cacheLayerSampled {
            keep = decided  // a span under a root of this process
        } else if self.keepsAll(operationName) || parent.remoteParentSampled == true {
            keep = true
        } else if parent.remoteParentSampled == false {
            keep = false
        } else if let keepsRequest = self.keepsRequest {
            // A root to decide when its request's attributes arrive.
            var dropped = parent
            dropped.cacheLayerSampled = false
            var keptContext = parent
            keptContext.cacheLayerSampled = true
            let kept = keptContext
            let startedAt = RecordedInstant(nanosecondsSinceEpoch: instant().nanosecondsSinceEpoch)
            let (wrapped, ratio, random) = (self.wrapped, self.ratio, self.random)
            let root = PendingRoot<Wrapped.Span>(
                name: operationName,
                keepsRequest: keepsRequest,
                draw: { random() < ratio },
                droppedContext: dropped,
                start: { name in
                    wrapped.startSpan(
                        name, context: kept, ofKind: kind, at: startedAt, function: function, file: fileID,
                        line: line)
                }
            )
            return SampledSpan(storage: .pending(root))
        } else {
            keep = self.random() < self.ratio
        }
        parent.cacheLayerSampled = keep
        guard keep else {
            return SampledSpan(storage: .dropped(NoOpTracer.NoOpSpan(context: parent)))
        }
        let span = self.wrapped.startSpan(
            operationName, context: parent, ofKind: kind, at: instant(), function: function, file: fileID,
            line: line)
        return SampledSpan(storage: .kept(span))
    }

    public func activeSpan(identifiedBy context: InstrumentationContext) -> SampledSpan<Wrapped.Span>? {
        guard context.cacheLayerSampled == true, let span = self.wrapped.activeSpan(identifiedBy: context) else {
            return nil
        }
        return SampledSpan(storage: .kept(span))
    }

    /// Flushes the wrapped tracer (deprecated there too).
    @available(*, deprecated)
    public func forceFlush() {
        self.wrapped.forceFlush()
    }

    /// The wrapped tracer's extraction, plus the sampled flag of a W3C `traceparent` field, which then decides the
    /// trace's spans in this process.
    public func extract<Carrier, Extract>(
        _ carrier: Carrier, into context: inout InstrumentationContext, using extractor: Extract
    ) where Extract: Extractor, Extract.Carrier == Carrier {
        self.wrapped.extract(carrier, into: &context, using: extractor)
        if let field = extractor.extract(key: "traceparent", from: carrier),
            let sampled = TraceParent.sampledFlag(field)
        {
            context.remoteParentSampled = sampled
        }
    }

    public func inject<Carrier, Inject>(
        _ context: InstrumentationContext, into carrier: inout Carrier, using injector: Inject
    ) where Inject: Injector, Inject.Carrier == Carrier {
        self.wrapped.inject(context, into: &carrier, using: injector)
    }
}
