import CacheLayer
import CacheLayerVapor
import NIOCore
import Vapor

// `VaporHitServer PORT`: `/plain` answers 12 KB from memory (`/plain-async` from an async handler); `/cached` answers the same through the response cache
// (a HIT after the first request).
let port = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 8080
let body = ByteBuffer(repeating: UInt8(ascii: "x"), count: 12 * 1024)
let cache = try CacheLayer.Cache(namespace: "responses", backend: MemoryBackend(byteBudget: 64 << 20))
let boundaries = try CacheBoundaries([CacheEndpoint(name: "cached", path: "/cached", ttl: .seconds(3_600))])

var environment = Environment.production
environment.arguments = ["vapor"]
let app = try await Application.make(environment)
app.logger.logLevel = .warning
app.http.server.configuration.hostname = "127.0.0.1"
app.http.server.configuration.port = port
app.get("plain") { _ in
    Response(status: .ok, headers: ["Content-Type": "text/plain"], body: .init(buffer: body))
}
// The same from an async handler, which Vapor runs on a task of its own, as it does an async middleware.
app.get("plain-async") { _ async in
    Response(status: .ok, headers: ["Content-Type": "text/plain"], body: .init(buffer: body))
}
app.grouped(try ResponseCacheMiddleware(cache: cache, boundaries: boundaries)).get("cached") { _ in
    Response(status: .ok, headers: ["Content-Type": "text/plain"], body: .init(buffer: body))
}
try await app.execute()
try await app.asyncShutdown()
