import CacheLayerSampling
import InMemoryTracing
import Testing
import Tracing

/// Keeping every trace of chosen paths: the root waits for its request's `url.path`, which a framework's tracing
/// middleware sets after starting the span and before routing names it.
@Suite("Sampling by path")
struct PathSamplingTests {
    @Test func aRootIsDecidedByItsPathOnceTheAttributesArriveAndStartedAtItsOwnInstant() {
        let recorded = InMemoryTracer()
        let draws = ScriptedDraws([0.9, 0.01])
        let tracer = SamplingTracer(
            wrapping: recorded, alwaysKeepingPaths: ["/admin/"], ratio: 0.05, random: draws.next)
        for path in ["/admin/order-items", "/products/1", "/products/2"] {
            let root = tracer.startSpan("HTTP GET route not found", ofKind: .server, at: DefaultTracerClock.now)
            root.attributes["url.path"] = path
            tracer.withSpan("cache.get", context: root.context, ofKind: .internal) { _ in }
            root.operationName = path  // routing names it afterwards
            root.end()
        }
        // /admin/...: kept, no draw; /products/1: draw 0.9, dropped; /products/2: draw 0.01, kept.
        #expect(
            recorded.finishedSpans.map(\.operationName) == [
                "cache.get", "/admin/order-items", "cache.get", "/products/2",
            ])
        let admin = recorded.finishedSpans[1]
        #expect(admin.attributes["url.path"]?.toSpanAttribute() == .string("/admin/order-items"))
        #expect(
            recorded.finishedSpans[0].context.inMemorySpanContext?.traceID == admin.context.inMemorySpanContext?.traceID
        )
    }

    @Test func aRootNeededBeforeItsAttributesIsDecidedByTheRatio() {
        let recorded = InMemoryTracer()
        let tracer = SamplingTracer(wrapping: recorded, alwaysKeepingPaths: ["/admin/"], ratio: 0, random: { 0.5 })
        let root = tracer.startSpan("HTTP GET route not found", ofKind: .server)
        tracer.withSpan("cache.get", context: root.context, ofKind: .internal) { _ in }
        root.attributes["url.path"] = "/admin/too-late"
        root.end()
        #expect(recorded.finishedSpans.isEmpty)
    }
}
