import CacheLayer
import CacheLayerHummingbird
import CacheLayerTestSupport
import CacheLayerTesting
import HTTPTypes
import Hummingbird
import InMemoryTracing
import MetricsTestKit
import NIOCore
import Synchronization

/// A server with the response cache in front of routes whose bodies are streamed (no content length, unless a
/// route says otherwise), with gates that let a test hold a stream open at a chosen point.
struct StreamingFixture {
    let clock = ManualCacheClock(start: .seconds(1_700_000_000))
    let tracer = InMemoryTracer()
    let metrics = TestMetrics()
    /// Handler runs, per route path.
    let runs = RunCounts()
    /// `/lockstep` writes chunk `i + 2` only once `lockstep[i]` is open (the client has read chunk `i + 1`).
    let lockstep = [Gate(), Gate()]
    /// The first run of `/held` and `/disconnect` waits on it after its first chunk.
    let held = Gate()
    /// Opened by the first run of `/disconnect` when it is done writing.
    let disconnectDone = Gate()
    /// Whether a write of the first `/disconnect` run failed (the client had gone).
    let disconnectSawWriteError = Flag()
    let cache: Cache
    let middleware: ResponseCacheMiddleware<BasicRequestContext>

    init(maximumBodySize: Int = 1_024) throws {
        self.cache = try Cache(
            namespace: "streams",
            backend: MemoryBackend(configuration: .init(byteBudget: 64 << 20, clock: self.clock)),
            configuration: .init(freshnessClock: self.clock, tracer: self.tracer, metricsFactory: self.metrics)
        )
        let paths = [
            "/lockstep", "/held", "/large-stream", "/small-stream", "/throws-mid-stream", "/disconnect",
            "/known-stream", "/short-length", "/long-length", "/header-length", "/trailers-stream",
        ]
        let boundaries = try CacheBoundaries(
            paths.map { CacheEndpoint(name: String($0.dropFirst()), path: $0, ttl: .seconds(60)) },
            metricsFactory: self.metrics
        )
        self.middleware = try ResponseCacheMiddleware(
            cache: self.cache,
            boundaries: boundaries,
            configuration: .init(maximumBodySize: maximumBodySize, metricsFactory: self.metrics)
        )
    }

    /// The count of `cache.responses_not_stored` for `boundary` and `reason`.
    func notStored(_ boundary: String, _ reason: String) throws -> Int64 {
        try self.metrics.expectCounter(
            "cache.responses_not_stored",
            [("boundary", boundary), ("reason", reason)]
        ).totalValue
    }

    /// The application: tracing, then the cache, then the routes.
    func application() -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: TracingMiddleware())
        router.add(middleware: self.middleware)
        let fixture = self
        router.get("/lockstep") { _, _ in
            fixture.runs.increment("/lockstep")
            return Self.streamed { writer in
                try await writer.write(ByteBuffer(string: "chunk 1;"))
                for (index, gate) in fixture.lockstep.enumerated() {
                    await gate.wait()
                    try await writer.write(ByteBuffer(string: "chunk \(index + 2);"))
                }
                try await writer.finish(nil)
            }
        }
        router.get("/held") { _, _ in
            let run = fixture.runs.increment("/held")
            return Self.streamed { writer in
                guard run == 1 else {
                    try await writer.write(ByteBuffer(string: "run \(run);"))
                    return try await writer.finish(nil)
                }
                try await writer.write(ByteBuffer(string: "first open;"))
                await fixture.held.wait()
                try await writer.write(ByteBuffer(string: "first end;"))
                try await writer.finish(nil)
            }
        }
        router.get("/large-stream") { _, _ in
            fixture.runs.increment("/large-stream")
            return Self.streamed { writer in
                for index in 0..<4 {
                    try await writer.write(ByteBuffer(string: String(repeating: "\(index)", count: 1_000)))
                }
                try await writer.finish(nil)
            }
        }
        router.get("/small-stream") { _, _ in
            let run = fixture.runs.increment("/small-stream")
            return Self.streamed { writer in
                for part in ["alpha;", "beta;", "run \(run)"] {
                    try await writer.write(ByteBuffer(string: part))
                }
                try await writer.finish(nil)
            }
        }
        router.get("/trailers-stream") { _, _ in
            fixture.runs.increment("/trailers-stream")
            return Self.streamed { writer in
                try await writer.write(ByteBuffer(string: "with trailers"))
                try await writer.finish([HTTPField.Name("X-Checksum")!: "abc"])
            }
        }
        router.get("/throws-mid-stream") { _, _ in
            let run = fixture.runs.increment("/throws-mid-stream")
            return Self.streamed { writer in
                guard run == 1 else {
                    try await writer.write(ByteBuffer(string: "whole run \(run)"))
                    return try await writer.finish(nil)
                }
                try await writer.write(ByteBuffer(string: "partial;"))
                throw HTTPError(.internalServerError, message: "the database went away mid-stream")
            }
        }
        router.get("/disconnect") { _, _ in
            let run = fixture.runs.increment("/disconnect")
            return Self.streamed { writer in
                guard run == 1 else {
                    try await writer.write(ByteBuffer(string: "run \(run)"))
                    return try await writer.finish(nil)
                }
                defer { fixture.disconnectDone.open() }
                try await writer.write(ByteBuffer(string: "first;"))
                await fixture.held.wait()
                // The client has gone: write until the server notices, swallow the error, and end the body as if
                // all were well (a careless handler). What was written must not be stored.
                do {
                    for _ in 0..<1_000_000 {
                        try await writer.write(ByteBuffer(string: "more;"))
                    }
                } catch {
                    fixture.disconnectSawWriteError.set()
                }
                try? await writer.finish(nil)
            }
        }
        router.get("/known-stream") { _, _ in
            let run = fixture.runs.increment("/known-stream")
            return Response(
                status: .ok,
                body: ResponseBody(contentLength: 6) { writer in
                    try await writer.write(ByteBuffer(string: "abc"))
                    try await writer.write(ByteBuffer(string: "de\(run)"))
                    try await writer.finish(nil)
                }
            )
        }
        router.get("/short-length") { _, _ in
            let run = fixture.runs.increment("/short-length")
            // Declares 10 bytes, writes 6.
            return Response(
                status: .ok,
                body: ResponseBody(contentLength: 10) { writer in
                    try await writer.write(ByteBuffer(string: "short\(run)"))
                    try await writer.finish(nil)
                }
            )
        }
        router.get("/long-length") { _, _ in
            let run = fixture.runs.increment("/long-length")
            // Declares 5 bytes, writes 10.
            return Response(
                status: .ok,
                body: ResponseBody(contentLength: 5) { writer in
                    try await writer.write(ByteBuffer(string: "long!"))
                    try await writer.write(ByteBuffer(string: "long!\(run % 10)"))
                    try await writer.finish(nil)
                }
            )
        }
        router.get("/header-length") { _, _ in
            let run = fixture.runs.increment("/header-length")
            // A Content-Length header that disagrees with the body.
            return Response(
                status: .ok,
                headers: [.contentLength: "3"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "five\(run % 10)"))
            )
        }
        return Application(router: router)
    }

    /// A 200 response whose body `write` produces, of unknown length.
    static func streamed(_ write: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void) -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain"], body: ResponseBody(write))
    }
}

/// Handler runs per route.
final class RunCounts: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    /// Counts a run of `route` and returns its number (1 for the first).
    @discardableResult
    func increment(_ route: String) -> Int {
        self.counts.withLock { counts in
            counts[route, default: 0] += 1
            return counts[route]!
        }
    }

    subscript(route: String) -> Int { self.counts.withLock { $0[route, default: 0] } }
}

/// A flag set from any task.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { self.value.withLock { $0 = true } }
    var isSet: Bool { self.value.withLock { $0 } }
}
