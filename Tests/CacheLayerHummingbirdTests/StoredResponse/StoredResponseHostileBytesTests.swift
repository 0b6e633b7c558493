import CacheLayer
import CacheLayerHTTP
import CacheLayerHummingbird
import CacheLayerTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Stored bytes that decode to a response no server may send: a 1xx (never a final answer), or a 204 or 304 with a
/// body, whose bytes NIO writes after the head, where the client reads them as the next response. A corrupted or
/// attacker-written entry must be refused as malformed (a miss), never replayed.
@Suite("Response cache: hostile stored bytes")
struct StoredResponseHostileBytesTests {
    @Test(arguments: [(100, ""), (103, "x"), (101, "x"), (204, "x"), (304, "x")])
    func aStatusThatCannotCarryThisBodyIsMalformed(code: Int, body: String) {
        let response = CachedResponse(
            status: HTTPResponse.Status(code: code), headers: [:], body: ByteBuffer(string: body),
            storedAt: .seconds(1_700_000_000))
        #expect(throws: CachedResponseFormat.Malformed.self, "status \(code) with a \(body.utf8.count)-byte body") {
            try CachedResponseFormat.decode(CachedResponseFormat.encode(response))
        }
    }

    /// The same, over a live connection: a stored 204 whose "body" is a whole HTTP response reaches the client as a
    /// second response, which a client (or a proxy reusing the connection) takes as the answer to its next request.
    @Test func aStored204WithABodyIsNeverReplayed() async throws {
        let cache = try Cache(namespace: "responses", backend: MemoryBackend(byteBudget: 8 << 20))
        let boundaries = try CacheBoundaries([CacheEndpoint(name: "page", path: "/page", ttl: .seconds(60))])
        let smuggled = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nX-Smuggled: yes\r\n\r\nsmuggled-body"
        let hostile = CachedResponseFormat.encode(
            CachedResponse(
                status: .noContent, headers: [:], body: ByteBuffer(string: smuggled),
                storedAt: EpochCacheClock().now()))
        // A live HTTP/1.1 request to 127.0.0.1 with `Host: localhost` is keyed `http://localhost/page`.
        try await cache.putBytes("http://localhost/page", hostile, ttl: .seconds(60))
        let router = Router()
        router.add(middleware: try ResponseCacheMiddleware(cache: cache, boundaries: boundaries))
        router.get("/page") { _, _ in "fresh-body" }
        try await Application(router: router).test(.live) { client in
            let port = try #require(client.port)
            let received = try await StreamingConnection.get(port: port, path: "/page", limit: .seconds(10)) {
                reader in
                var text = ""
                do {
                    while !text.contains("fresh-body") && !text.contains("smuggled-body") {
                        guard let chunk = try await reader.iterator.next() else { break }
                        text += String(buffer: chunk)
                    }
                } catch {}
                return text
            }
            #expect(!received.contains("X-Smuggled"), "the connection carried:\n\(received)")
        }
    }
}
