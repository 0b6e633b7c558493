import CacheLayer
import InMemoryTracing
import Testing
import Tracing

@testable import CacheLayerRedis

/// With `keyCapture: .off`, no part of a span may hold the key, error messages included: failed Redis calls
/// name the command, never the key (which Redis itself echoes in some error replies).
@Suite(
    "Redis keys stay out of telemetry", .serialized,
    .enabled(if: RedisTestServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh"))
struct RedisKeyCaptureTests {
    /// The key under test: text that appears nowhere else.
    static let secret = "customer-4711-secret"

    /// Runs get, put and remove of the secret key on `backend` through a cache with key capture off, and
    /// returns every span they produced.
    func spans(of backend: any CacheBackend, expectingFailures: Bool = true) async throws -> [FinishedInMemorySpan] {
        let tracer = InMemoryTracer()
        let cache = try Cache(
            namespace: "products", backend: backend, configuration: .init(keyCapture: .off, tracer: tracer))
        _ = try? await cache.getBytes(Self.secret)
        _ = try? await cache.putBytes(Self.secret, Array(repeating: 7, count: 64), ttl: .seconds(30))
        _ = try? await cache.remove(Self.secret)
        let spans = tracer.finishedSpans
        #expect(spans.map(\.operationName) == ["cache.get", "cache.put", "cache.remove"])
        if expectingFailures {
            #expect(
                spans.allSatisfy { $0.status?.code == .error && !$0.errors.isEmpty }, "every call should have failed")
        }
        return spans
    }

    /// Everything a span holds, as text: name, attributes, status, recorded errors (described, reflected, and
    /// their messages).
    func text(of span: FinishedInMemorySpan) -> String {
        var parts = [span.operationName, "\(span.attributes)", span.status?.message ?? ""]
        for recorded in span.errors {
            parts.append("\(recorded.error)")
            parts.append(String(reflecting: recorded.error))
            parts.append("\(recorded.attributes)")
            if let error = recorded.error as? CacheError {
                parts.append(error.message)
            }
        }
        for event in span.events {
            parts.append(event.name)
            parts.append("\(event.attributes)")
        }
        return parts.joined(separator: " | ")
    }

    func expectNoKey(in spans: [FinishedInMemorySpan], sourceLocation: SourceLocation = #_sourceLocation) {
        for span in spans {
            let text = self.text(of: span)
            #expect(
                !text.contains(Self.secret), "\(span.operationName) holds the key: \(text)",
                sourceLocation: sourceLocation)
        }
    }

    /// A server whose GET, SET and DEL are renamed: each call gets "ERR unknown command 'GET', with args
    /// beginning with: '<the key>'", the reply that echoes the key.
    @Test func errorRepliesThatEchoTheKey() async throws {
        let server = try RedisServerProcess(arguments: [
            "--rename-command", "GET", "GET-RENAMED", "--rename-command", "SET", "SET-RENAMED",
            "--rename-command", "DEL", "DEL-RENAMED",
        ])
        let backend = try RedisBackend(url: server.url)
        defer { backend.shutdown() }
        let spans = try await self.spans(of: backend)
        #expect(spans.allSatisfy { $0.attributes.get("db.response.status_code") == "ERR" })
        self.expectNoKey(in: spans)
    }

    /// WRONGTYPE on get and put (a list under the key), and a value too large for put.
    @Test func wrongTypeAndValueTooLarge() async throws {
        var configuration = try RedisBackendFixture.configuration()
        configuration.maximumValueSize = 16
        let backend = try RedisBackend(configuration: configuration)
        defer { backend.shutdown() }
        _ = try await backend.command("LPUSH", "\(configuration.keyPrefix)products:\(Self.secret)", "x")
        let tracer = InMemoryTracer()
        let cache = try Cache(
            namespace: "products", backend: backend, configuration: .init(keyCapture: .off, tracer: tracer))
        _ = try? await cache.getBytes(Self.secret)
        _ = try? await cache.putBytes(Self.secret, Array(repeating: 7, count: 64))
        _ = try await backend.command("DEL", "\(configuration.keyPrefix)products:\(Self.secret)")
        let spans = tracer.finishedSpans
        #expect(spans.count == 2)
        #expect(spans.first?.attributes.get("db.response.status_code") == "WRONGTYPE")
        #expect(spans.last?.attributes.get("error.type") == "value_too_large")
        self.expectNoKey(in: spans)
    }

    /// Timeouts (a paused server) and an unavailable server.
    @Test func timeoutsAndUnavailableServers() async throws {
        let server = try RedisServerProcess()
        var configuration = try RedisBackend.Configuration(url: server.url)
        configuration.commandTimeout = .milliseconds(100)
        configuration.connectTimeout = .milliseconds(100)
        configuration.connectionCount = 1
        let paused = try RedisBackend(configuration: configuration)
        defer { paused.shutdown() }
        _ = try await paused.command("PING")
        _ = try server.raw("CLIENT PAUSE 3000 ALL")
        let pausedSpans = try await self.spans(of: paused)
        #expect(pausedSpans.first?.attributes.get("error.type") == "timeout")
        self.expectNoKey(in: pausedSpans)

        var gone = try RedisBackend.Configuration(url: "redis://127.0.0.1:\(try RedisServerProcess.freePort())")
        gone.connectTimeout = .milliseconds(50)
        let unavailable = try RedisBackend(configuration: gone)
        defer { unavailable.shutdown() }
        let unavailableSpans = try await self.spans(of: unavailable)
        #expect(unavailableSpans.allSatisfy { $0.attributes.get("error.type") == "backend_unavailable" })
        self.expectNoKey(in: unavailableSpans)
    }
}
