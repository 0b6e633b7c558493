import InMemoryLogging
import InMemoryTracing
import Logging
import Testing
import Tracing

@testable import CacheLayer
import CacheLayerTesting

@Suite("Cache logs")
struct CacheLoggingTests {
    let handler = InMemoryLogHandler()

    func logger(level: Logger.Level = .debug, metadataProvider: Logger.MetadataProvider? = nil) -> Logger {
        var handler = self.handler
        handler.metadataProvider = metadataProvider
        var logger = Logger(label: "test", factory: { _ in handler })
        logger.logLevel = level
        return logger
    }

    @Test func debugLinePerOperationWithoutTheValue() async throws {
        let cache = try Cache(
            namespace: "products",
            backend: try MemoryBackend(byteBudget: 1 << 20),
            configuration: .init(logger: self.logger())
        )
        try await cache.putBytes("p:1", Array("secret-value".utf8), ttl: .seconds(10))
        _ = try await cache.getBytes("p:1")

        let entries = self.handler.entries
        #expect(entries.map(\.level) == [.debug, .debug])
        #expect(entries.map(\.message.description) == ["cache.put", "cache.get"])
        let get = entries[1].metadata
        #expect(get["cache.key"] == "products:p:1")
        #expect(get["cache.hit"] == "true")
        #expect(get["cache.item_size"] == "12")
        #expect(get["cache.duration_ms"] != nil)
        #expect(entries[0].metadata["cache.ttl"] == "10")
        #expect(!"\(entries)".contains("secret-value"))
    }

    @Test func backendFailureIsAWarningAndRedactionApplies() async throws {
        let cache = try Cache(
            namespace: "users",
            backend: ControllableBackend.down(CacheError(.backendUnavailable, "connection refused")),
            configuration: .init(keyCapture: .redacted { _ in "users:<id>" }, logger: self.logger(level: .warning))
        )
        _ = try await cache.getBytes("alice")
        let entries = self.handler.entries
        try #require(entries.count == 1)
        #expect(entries[0].level == .warning)
        #expect(entries[0].metadata["error.type"] == "backend_unavailable")
        #expect(entries[0].metadata["cache.key"] == "users:<id>")
        #expect(!"\(entries)".contains("alice"))
    }

    @Test func linesCarryTheSpansContextForMetadataProviders() async throws {
        let tracer = InMemoryTracer()
        let provider = Logger.MetadataProvider {
            guard let span = InstrumentationContext.current?.inMemorySpanContext else { return [:] }
            return ["trace_id": "\(span.traceID)", "span_id": "\(span.spanID)"]
        }
        let cache = try Cache(
            namespace: "products",
            backend: try MemoryBackend(byteBudget: 1 << 20),
            configuration: .init(tracer: tracer, logger: self.logger(metadataProvider: provider))
        )
        _ = try await cache.getBytes("p:1")
        let span = try #require(tracer.finishedSpans.first)
        let line = try #require(self.handler.entries.first)
        #expect(line.metadata["span_id"] == "\(span.spanID)")
        #expect(line.metadata["trace_id"] == "\(span.traceID)")
    }
}
