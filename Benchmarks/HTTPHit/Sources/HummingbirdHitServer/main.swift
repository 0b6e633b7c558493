import CacheLayer
import CacheLayerHummingbird
import Hummingbird
import NIOCore

// `HummingbirdHitServer PORT`: `/plain` answers 12 KB from memory; `/cached` answers the same through the response
// cache (a HIT after the first request).
let port = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 8080
let body = ByteBuffer(repeating: UInt8(ascii: "x"), count: 12 * 1024)
let cache = try Cache(namespace: "responses", backend: MemoryBackend(byteBudget: 64 << 20))
let boundaries = try CacheBoundaries([CacheEndpoint(name: "cached", path: "/cached", ttl: .seconds(3_600))])

let router = Router()
router.get("/plain") { _, _ in
    Response(status: .ok, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: body))
}
router.group("/cached")
    .add(middleware: try ResponseCacheMiddleware(cache: cache, boundaries: boundaries))
    .get { _, _ in
        Response(status: .ok, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: body))
    }
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
