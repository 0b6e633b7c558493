import CacheLayerAdvisor
import Testing

@Suite("Request log")
struct RequestLogTests {
    @Test("a request log of URLs or recorded cache keys is read, percent-encoding decoded")
    func readsURLsAndCacheKeys() throws {
        let text = "url,size\n/orders?status=open&page=2,500\norders:/orders?status=on%20hold&page=1\n/orders\n"
        let requests = try RequestLog.parse(text, name: "log", defaultSize: 100)
        #expect(
            requests == [
                EndpointRequest(
                    path: "/orders", query: [.init("status", "open"), .init("page", "2")], responseSize: 500),
                EndpointRequest(
                    path: "/orders", query: [.init("status", "on hold"), .init("page", "1")], responseSize: 100),
                EndpointRequest(path: "/orders", query: [], responseSize: 100),
            ])
    }

    @Test("a line that is not a path is refused, naming the line")
    func refusesANonPath() {
        #expect(
            throws: AdvisorError(
                .malformedLog,
                "log line 3: 'orders' is not a path (it should start with /) (expected path?query[,size])")
        ) {
            try RequestLog.parse("/a\n/b\norders\n", name: "log", defaultSize: 1)
        }
    }

    @Test("a broken escape, a bad size, too many fields and an empty log are refused")
    func refusesBadLines() {
        for text in ["/a?x=%4\n", "/a,1\n/b,12x\n", "/a,1,2\n", "# nothing\n\n"] {
            #expect(throws: AdvisorError.self, "\(text)") { try RequestLog.parse(text, name: "log", defaultSize: 1) }
        }
    }

    @Test("what text(_:) writes, parse reads back, whatever the names and values hold")
    func writesWhatItReads() throws {
        let requests = [
            EndpointRequest(
                path: "/stores/1/order-items", query: [.init("status", "open"), .init("page", "2")], responseSize: 8192),
            EndpointRequest(
                path: "/search", query: [.init("q", "a+b c&d=e,f#g%h?/é"), .init("tag", "")], responseSize: 0),
            EndpointRequest(path: "/a b/ü", query: [], responseSize: 1),
        ]
        let text = RequestLog.text(requests)
        #expect(text.hasPrefix("url,size\n/stores/1/order-items?status=open&page=2,8192\n"))
        #expect(try RequestLog.parse(text, name: "log", defaultSize: 7) == requests)
    }
}
