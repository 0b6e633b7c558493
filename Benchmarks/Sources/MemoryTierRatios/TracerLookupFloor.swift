import Tracing

/// What a call-time lookup of the global tracer costs at the least, measured apart from the facade.
///
/// `Cache` with no tracer configured must find the tracer in force at each call (a `withTracer` scope, else the
/// bootstrapped one). swift-distributed-tracing offers one public way to read it, `InstrumentationSystem.instrument`,
/// which reads its task-local override and then the bootstrapped instrument under a reader lock. These probes time
/// that read, and a task-local read of the same type on its own, each added to a direct backend call.
enum TracerLookupFloor {
    /// A task-local of the same type as swift-distributed-tracing's override, never bound.
    @TaskLocal static var unboundInstrument: (any Instrument)?

    /// Whether the instrument in force is the no-op one: the check an unobserved facade call makes.
    @inline(never)
    static func globalInstrumentIsNoOp() -> Bool {
        ObjectIdentifier(type(of: InstrumentationSystem.instrument)) == ObjectIdentifier(NoOpInstrument.self)
    }

    /// One read of a task-local holding `(any Instrument)?`.
    @inline(never)
    static func taskLocalIsUnbound() -> Bool {
        Self.unboundInstrument == nil
    }
}
