import InMemoryTracing
import Testing
import Tracing

/// Sends one request to the application under test.
public typealias ConformanceSend = (ConformanceRequest) async throws -> ConformanceResponse

/// One behaviour every response-cache adapter must have, checked against a fresh ``ConformanceFixture``.
public struct ConformanceCase: Sendable, CustomTestStringConvertible {
    public let name: String
    let body: @Sendable (ConformanceFixture, ConformanceSend) async throws -> Void

    public var testDescription: String { self.name }

    /// Runs the case against the application, which serves `fixture`, through `send`.
    public func run(_ fixture: ConformanceFixture, _ send: ConformanceSend) async throws {
        try await self.body(fixture, send)
    }

    init(_ name: String, _ body: @escaping @Sendable (ConformanceFixture, ConformanceSend) async throws -> Void) {
        self.name = name
        self.body = body
    }

    /// Every case.
    public static let all: [ConformanceCase] =
        [
            ConformanceCase("a miss runs the handler and stores; the next request is a hit with Age") { fixture, send in
                let miss = try await send(.init("/items"))
                #expect(miss.status == 200)
                #expect(miss.cacheStatus == "MISS")
                #expect(miss.header("age") == nil)
                fixture.clock.advance(by: .seconds(5))
                let hit = try await send(.init("/items"))
                #expect(hit.status == 200)
                #expect(hit.cacheStatus == "HIT")
                #expect(hit.header("age") == "5")
                #expect(hit.body == miss.body)
                #expect(hit.header("content-type") == "text/plain")
                #expect(fixture.runs.count == 1)
            },
            ConformanceCase("a hit is one cache.get span, with the entry's age, counted as served from the cache") {
                fixture, send in
                _ = try await send(.init("/items"))
                fixture.clock.advance(by: .seconds(3))
                for _ in 0..<2 { #expect(try await send(.init("/items")).cacheStatus == "HIT") }
                let gets = fixture.tracer.finishedSpans.filter { $0.operationName == "cache.get" }
                #expect(gets.map { $0.attributes.get("cache.hit") } == [false, true, true])
                #expect(gets.last?.attributes.get("cache.item_age") == 3)
                let put = fixture.tracer.finishedSpans.first { $0.operationName == "cache.put" }
                #expect(put != nil)
                #expect(gets.last?.attributes.get("cache.item_size") == put?.attributes.get("cache.item_size"))
                let items = fixture.boundaries.statistics()["items"]
                #expect(items?.hits == 2)
                #expect(items?.misses == 1)
                #expect(items?.decisions.values.reduce(0, +) == 3)
                // Each request read the backend once, however the adapter reached it.
                #expect(fixture.memory.statistics.misses == 1)
                #expect(fixture.memory.statistics.hits == 2)
            },
            ConformanceCase("an entry past its time-to-live is loaded again") { fixture, send in
                _ = try await send(.init("/items"))
                fixture.clock.advance(by: .seconds(61))
                let again = try await send(.init("/items"))
                #expect(again.cacheStatus == "MISS")
                #expect(again.body == "items, run 2")
            },
            ConformanceCase("stored bytes that do not decode as a response are a miss, loaded and stored again") {
                fixture, send in
                _ = try await send(.init("/items"))
                let put = fixture.tracer.finishedSpans.first { $0.operationName == "cache.put" }
                // The span names the key with the cache's namespace in front.
                guard case .stringArray(let keys)? = put?.attributes.get("cache.key"),
                    let key = keys.first?.split(separator: ":", maxSplits: 1).last.map(String.init)
                else {
                    Issue.record("the store's span names no key")
                    return
                }
                // Fresh bytes, unframed, that no response decodes from: a hit's read finds them and must not serve.
                try await fixture.cache.putBytes(key, Array("not a stored response".utf8), ttl: .seconds(60))
                let hits = fixture.memory.statistics.hits
                let again = try await send(.init("/items"))
                // Read once: what the hit's read found is handed on, not read again.
                #expect(fixture.memory.statistics.hits == hits + 1)
                #expect(again.status == 200)
                #expect(again.cacheStatus == "MISS")
                #expect(again.body == "items, run 2")
                #expect(try await send(.init("/items")).cacheStatus == "HIT")
                #expect(fixture.runs.count == 2)
            },
            ConformanceCase("a HEAD request is served from the GET's entry, without a body") { fixture, send in
                let get = try await send(.init("/items"))
                let head = try await send(.init("HEAD", "/items"))
                #expect(head.status == 200)
                #expect(head.cacheStatus == "HIT")
                #expect(head.body.isEmpty)
                // The GET's length, not the empty body's.
                #expect(head.header("content-length") == String(get.body.utf8.count))
                #expect(fixture.runs.count == 1)
            },
            ConformanceCase("a path without a boundary bypasses") { fixture, send in
                let response1 = try await send(.init("/plain"))
                #expect(response1.cacheStatus == "BYPASS")
                let response2 = try await send(.init("/plain"))
                #expect(response2.cacheStatus == "BYPASS")
                #expect(fixture.runs.count == 2)
            },
            ConformanceCase("a page past the boundary's highest cached page bypasses") { fixture, send in
                let response3 = try await send(.init("/items?page=2"))
                #expect(response3.cacheStatus == "BYPASS")
                let response4 = try await send(.init("/items?page=2"))
                #expect(response4.cacheStatus == "BYPASS")
                #expect(fixture.runs.count == 2)
            },
            ConformanceCase("a common filter is cached under its own key") { fixture, send in
                let response5 = try await send(.init("/items?status=open"))
                #expect(response5.cacheStatus == "MISS")
                let response6 = try await send(.init("/items"))
                #expect(response6.cacheStatus == "MISS")
                let response7 = try await send(.init("/items?status=open"))
                #expect(response7.cacheStatus == "HIT")
                let response8 = try await send(.init("/items?status=closed"))
                #expect(response8.cacheStatus == "BYPASS")
            },
            ConformanceCase("a request with credentials bypasses a shared endpoint") { fixture, send in
                _ = try await send(.init("/items"))
                let withToken = try await send(.init("/items", headers: [("Authorization", "Bearer secret")]))
                #expect(withToken.cacheStatus == "BYPASS")
                #expect(withToken.body == "items, run 2")
            },
            ConformanceCase("a POST bypasses, and an error of the router is marked too") { fixture, send in
                let post = try await send(.init("POST", "/items"))
                #expect(post.cacheStatus == "BYPASS")
                #expect(post.status == 404 || post.status == 405)
                let unknown = try await send(.init("/no-such-route"))
                #expect(unknown.status == 404)
                #expect(unknown.cacheStatus == "BYPASS")
            },
            ConformanceCase("Cache-Control: private is never stored") { fixture, send in
                let response9 = try await send(.init("/private"))
                #expect(response9.cacheStatus == "MISS")
                let response10 = try await send(.init("/private"))
                #expect(response10.cacheStatus == "MISS")
                #expect(fixture.runs.count == 2)
            },
            ConformanceCase("a response that sets a cookie is never stored") { fixture, send in
                let response11 = try await send(.init("/cookie"))
                #expect(response11.cacheStatus == "MISS")
                let second = try await send(.init("/cookie"))
                #expect(second.cacheStatus == "MISS")
                #expect(second.body == "welcome, run 2")
            },
            ConformanceCase("a status that is not cacheable is sent but not stored") { fixture, send in
                let first = try await send(.init("/missing"))
                #expect(first.status == 404)
                #expect(first.cacheStatus == "MISS")
                let response12 = try await send(.init("/missing"))
                #expect(response12.body == "no such thing, run 2")
            },
            ConformanceCase("a body over the maximum size is sent whole but not stored") { fixture, send in
                let first = try await send(.init("/large"))
                #expect(first.body.utf8.count == 4_096)
                #expect(first.cacheStatus == "MISS")
                let response13 = try await send(.init("/large"))
                #expect(response13.cacheStatus == "MISS")
                #expect(fixture.runs.count == 2)
            },
            ConformanceCase("Vary naming a header the key leaves out is not stored") { fixture, send in
                let response14 = try await send(.init("/vary"))
                #expect(response14.cacheStatus == "MISS")
                let response15 = try await send(.init("/vary"))
                #expect(response15.cacheStatus == "MISS")
            },
            ConformanceCase("a vary header of the endpoint is part of the key") { fixture, send in
                let english = try await send(.init("/greeting", headers: [("Accept-Language", "en")]))
                let french = try await send(.init("/greeting", headers: [("Accept-Language", "fr")]))
                #expect(english.body == "greeting in en, run 1")
                #expect(french.body == "greeting in fr, run 2")
                let again = try await send(.init("/greeting", headers: [("Accept-Language", "en")]))
                #expect(again.cacheStatus == "HIT")
                #expect(again.body == "greeting in en, run 1")
            },
            ConformanceCase("every Host field is part of the key") { fixture, send in
                // A handler can read every `Host` field; the first is the authority.
                let ab = try await send(.init("/items", headers: [("Host", "a.example"), ("Host", "b.example")]))
                let ac = try await send(.init("/items", headers: [("Host", "a.example"), ("Host", "c.example")]))
                let a = try await send(.init("/items", headers: [("Host", "a.example")]))
                #expect([ab.cacheStatus, ac.cacheStatus, a.cacheStatus] == ["MISS", "MISS", "MISS"])
                let abAgain = try await send(.init("/items", headers: [("Host", "a.example"), ("Host", "b.example")]))
                #expect(abAgain.cacheStatus == "HIT")
                #expect(abAgain.body == ab.body)
                #expect(fixture.runs.count == 3)
            },
            ConformanceCase("a per-user endpoint keys on the user and bypasses without one") { fixture, send in
                let alice = try await send(.init("/me", headers: [(ConformanceFixture.userHeader, "alice")]))
                let bob = try await send(.init("/me", headers: [(ConformanceFixture.userHeader, "bob")]))
                #expect(alice.body == "hello alice, run 1")
                #expect(bob.body == "hello bob, run 2")
                let aliceAgain = try await send(.init("/me", headers: [(ConformanceFixture.userHeader, "alice")]))
                #expect(aliceAgain.cacheStatus == "HIT")
                #expect(aliceAgain.body == "hello alice, run 1")
                let response16 = try await send(.init("/me"))
                #expect(response16.cacheStatus == "BYPASS")
            },
        ] + Self.tagCases + Self.staleIfError

    /// Tags: the boundary's, the response headers', and the invalidation rules.
    static let tagCases: [ConformanceCase] = [
        ConformanceCase("an entry is stored with its boundary's tags, built from the request") { fixture, send in
            _ = try await send(.init("/stores/7"))
            _ = try await send(.init("/stores/8"))
            try await fixture.cache.invalidate(tags: ["store:7"])
            let seven = try await send(.init("/stores/7"))
            #expect(seven.cacheStatus == "MISS")
            #expect(seven.body == "store 7, run 3")
            let eight = try await send(.init("/stores/8"))
            #expect(eight.cacheStatus == "HIT")
            try await fixture.cache.invalidate(tags: ["stores"])
            #expect(try await send(.init("/stores/8")).cacheStatus == "MISS")
        },
        ConformanceCase("a successful write invalidates its rule's tags before it answers") { fixture, send in
            _ = try await send(.init("/stores/7"))
            _ = try await send(.init("/stores/8"))
            let write = try await send(.init("POST", "/stores/7"))
            #expect(write.status == 200)
            #expect(write.cacheStatus == "BYPASS")
            #expect(write.body == "store 7 changed")
            let seven = try await send(.init("/stores/7"))
            #expect(seven.cacheStatus == "MISS")
            #expect(seven.body == "store 7, run 4")
            #expect(try await send(.init("/stores/8")).cacheStatus == "HIT")
        },
        ConformanceCase("a successful write invalidates its rule's tags whatever its query holds") { fixture, send in
            // Queries that no cache key is made from (a `+`, a bare flag, a bad escape, an escaped name): ordinary
            // on a write, whose invalidation must not depend on reading them.
            for query in ["?note=a+b", "?force", "?next=%zz", "?na%6De=x"] {
                let before = try await send(.init("/stores/7"))
                #expect(try await send(.init("/stores/7")).cacheStatus == "HIT")
                let write = try await send(.init("POST", "/stores/7\(query)"))
                #expect(write.status == 200, "POST /stores/7\(query)")
                let after = try await send(.init("/stores/7"))
                #expect(after.cacheStatus == "MISS", "after POST /stores/7\(query)")
                #expect(after.body != before.body, "after POST /stores/7\(query)")
            }
        },
        ConformanceCase("a write answered 4xx or 5xx invalidates nothing") { fixture, send in
            _ = try await send(.init("/stores/7"))
            let refused = try await send(.init("POST", "/refused/7"))
            #expect(refused.status == 409)
            let broken = try await send(.init("POST", "/broken/7"))
            #expect(broken.status == 500)
            let seven = try await send(.init("/stores/7"))
            #expect(seven.cacheStatus == "HIT")
            #expect(seven.body == "store 7, run 1")
        },
        ConformanceCase("Cache-Tag and Surrogate-Key tags are stored, and the headers stripped") { fixture, send in
            let miss = try await send(.init("/header-tags"))
            #expect(miss.cacheStatus == "MISS")
            #expect(miss.header("cache-tag") == nil)
            #expect(miss.header("surrogate-key") == nil)
            let hit = try await send(.init("/header-tags"))
            #expect(hit.cacheStatus == "HIT")
            #expect(hit.header("cache-tag") == nil)
            #expect(hit.header("surrogate-key") == nil)
            try await fixture.cache.invalidate(tags: ["customer:7"])
            #expect(try await send(.init("/header-tags")).cacheStatus == "MISS")
            try await fixture.cache.invalidate(tags: ["order:42"])
            let again = try await send(.init("/header-tags"))
            #expect(again.cacheStatus == "MISS")
            #expect(again.body == "tagged by its headers, run 3")
        },
        ConformanceCase("a response naming more tags than the bound is sent, not stored") { fixture, send in
            let first = try await send(.init("/many-tags"))
            #expect(first.status == 200)
            #expect(first.cacheStatus == "MISS")
            #expect(first.header("cache-tag") == nil)
            let second = try await send(.init("/many-tags"))
            #expect(second.cacheStatus == "MISS")
            #expect(second.body == "too many tags, run 2")
        },
    ]
}
