import Tracing

/// The process-wide tracer of these tests: it hands every span to the tracer bound to the current task with
/// ``withTracer(_:_:)``, and records nothing elsewhere.
///
/// Hummingbird's `TracingMiddleware` starts request spans on the global tracer, which a process can bootstrap only
/// once; binding a tracer per task lets each test read its own spans while the rest of the test process (which
/// runs in parallel, in the same process) sees no tracer at all.
struct TaskLocalTracer: LegacyTracer {
    @TaskLocal static var current: (any Tracer)?

    /// Bootstraps the global instrumentation with this tracer, once per process.
    private static let bootstrapped: Void = InstrumentationSystem.bootstrap(TaskLocalTracer())

    /// Runs `body` with `tracer` receiving the spans that the global tracer starts in this task and its children.
    static func withTracer<Result>(_ tracer: any Tracer, _ body: () async throws -> Result) async rethrows -> Result {
        Self.bootstrapped
        return try await Self.$current.withValue(tracer) { try await body() }
    }

    func startAnySpan<Instant: TracerInstant>(
        _ operationName: String,
        context: @autoclosure () -> ServiceContext,
        ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant,
        function: String,
        file fileID: String,
        line: UInt
    ) -> any Span {
        let tracer: any Tracer = Self.current ?? NoOpTracer()
        return tracer.startAnySpan(
            operationName,
            context: context(),
            ofKind: kind,
            at: instant(),
            function: function,
            file: fileID,
            line: line
        )
    }

    func forceFlush() {}

    func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {}

    func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {}
}
