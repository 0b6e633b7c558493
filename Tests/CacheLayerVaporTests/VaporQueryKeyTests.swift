#if VaporSupport
import Testing

@testable import CacheLayerVapor

/// The query as the key sees it, against what Vapor's URL-encoded form decoder gives a handler: requests that a
/// handler could tell apart never share an entry.
@Suite("Vapor query keys")
struct VaporQueryKeyTests {
    typealias Middleware = ResponseCacheMiddleware

    @Test func aBareNameBypassesSinceTheDecoderReadsItAsAFlag() {
        // `?debug` decodes as `true` for a Bool and `?debug=` does not decode: they must not share a key.
        #expect(Middleware.queryParameters("debug") == nil)
        #expect(Middleware.queryParameters("page=1&debug") == nil)
        #expect(Middleware.queryParameters("debug=")?.map { [$0.name, $0.value] } == [["debug", ""]])
    }

    @Test func plusIsASpaceAndEscapesAreDecodedAsTheDecoderDoes() {
        #expect(Middleware.queryParameters("q=a+b")?.map { [$0.name, $0.value] } == [["q", "a b"]])
        #expect(Middleware.queryParameters("q=a%2Bb")?.map { [$0.name, $0.value] } == [["q", "a+b"]])
        #expect(Middleware.queryParameters("q=%zz") == nil)
        #expect(Middleware.queryParameters("")?.isEmpty == true)
    }
}
#endif
