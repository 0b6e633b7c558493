import CacheLayerTestSupport
import CacheLayerYAML
import InMemoryTracing
import MetricsTestKit
import Testing
import Tracing

@testable import CacheLayer

@Suite("Per-endpoint cache boundaries")
struct CacheBoundariesTests {
    let metrics = TestMetrics()

    static let orderItems = CacheEndpoint(
        name: "order-items",
        path: "/admin/order-items",
        ttl: .seconds(60),
        pagination: PaginationBoundary(
            highestCachedPage: 1,
            commonFilters: ["status": ["open", "shipped"], "sort": ["newest"]],
            volatileParameters: ["_"]
        ),
        loadPolicy: LoadPolicy(lock: .init(lease: .seconds(10), maximumWait: .seconds(2)), gracePeriod: .seconds(30))
    )

    func makeBoundaries() throws -> CacheBoundaries {
        try CacheBoundaries(
            [
                Self.orderItems,
                CacheEndpoint(name: "order", path: "/orders/:id", ttl: .seconds(5), varyHeaders: ["Accept-Language"]),
                CacheEndpoint(name: "profile", path: "/me/**", ttl: .seconds(5), scope: .perUser),
            ],
            metricsFactory: self.metrics
        )
    }

    @Test func eachRequestIsCachedUnderACanonicalKeyOrBypassesForANamedReason() throws {
        let boundaries = try self.makeBoundaries()
        func decide(
            _ path: String, _ query: [(String, String)] = [], method: String = "GET", headers: [(String, String)] = [],
            user: String? = nil
        ) -> String {
            let request = CacheRequest(
                method: method, path: path, query: query.map { (name: $0.0, value: $0.1) },
                headers: headers.map { (name: $0.0, value: $0.1) }, userID: user)
            let decision = boundaries.decide(request)
            return decision.key.map { "cache \($0)" } ?? "bypass \(decision.name)"
        }
        #expect(
            decide("/admin/order-items", [("status", "open"), ("page", "1"), ("_", "123")])
                == "cache /admin/order-items?page=1&status=open")
        #expect(
            decide("/admin/order-items", [("page", "1"), ("status", "open")], method: "HEAD")
                == "cache /admin/order-items?page=1&status=open")
        #expect(
            decide("/admin/order-items", [("status", "OPEN")]) == "bypass uncommon_filter", "values are matched as sent"
        )
        #expect(decide("/admin/order-items", [("page", "2")]) == "bypass deep_page")
        #expect(decide("/admin/order-items", [("status", "returned")]) == "bypass uncommon_filter")
        #expect(decide("/admin/order-items", [("customer", "7")]) == "bypass unknown_parameter")
        #expect(decide("/admin/order-items", method: "POST") == "bypass method")
        #expect(decide("/admin/order-items", headers: [("Authorization", "Bearer x")]) == "bypass personalised")
        #expect(decide("/admin/order-items", headers: [("cookie", "session=1")]) == "bypass personalised")
        #expect(decide("/nowhere") == "bypass no_boundary")

        // Path parameters and vary headers.
        #expect(decide("/orders/42", headers: [("accept-language", "en")]) == "cache /orders/42 accept-language=en")
        #expect(decide("/orders/42", headers: [("Accept-Language", "EN")]) == "cache /orders/42 accept-language=EN")
        #expect(decide("/orders/42") == "cache /orders/42 accept-language", "a missing header is not an empty one")
        #expect(decide("/orders/42", headers: [("Accept-Language", "de")]) == "cache /orders/42 accept-language=de")
        #expect(decide("/orders/42/items") == "bypass no_boundary")

        // Per-user scope: the user is in the key; no user, no caching.
        #expect(
            decide("/me/settings", headers: [("Authorization", "Bearer a")], user: "alice")
                == "cache /me/settings @alice")
        #expect(decide("/me/settings", user: "bob") == "cache /me/settings @bob")
        #expect(decide("/me/settings", headers: [("Authorization", "Bearer a")]) == "bypass personalised")
    }

    @Test func keysAreEqualExactlyWhenPathQueryVaryValuesAndUserAreEqual() throws {
        let boundaries = try CacheBoundaries([
            CacheEndpoint(name: "any", path: "/**", ttl: .seconds(1), varyHeaders: ["x-a", "x-b"], scope: .perUser)
        ])
        // Values chosen to try to forge separators: spaces, '@', '=', '&', '?', '%'.
        let atoms = ["", "a", "a b", "@", "=", "a=b", "&", "?", "%20", " @a", "b c=d"]
        var generator = SeededGenerator(seed: 11)
        var seen: [String: String] = [:]
        for _ in 0..<20_000 {
            let path = "/p/" + atoms.randomElement(using: &generator)!.replacingSlashes
            let value = atoms.randomElement(using: &generator)!
            let headerA = atoms.randomElement(using: &generator)!
            let headerB = atoms.randomElement(using: &generator)!
            let user = atoms.dropFirst().randomElement(using: &generator)!
            let request = CacheRequest(
                path: path, query: [(name: "q", value: value)],
                headers: [(name: "X-A", value: headerA), (name: "x-b", value: headerB)], userID: user)
            let key = try #require(boundaries.decide(request).key)
            // The reference: the parts themselves, byte for byte.
            let parts = [path, value, headerA, headerB, user]
                .map { "\($0.utf8.count):\($0)" }.joined()
            if let previous = seen[key] {
                #expect(previous == parts, "\(key) made from two different requests")
            }
            seen[key] = parts
        }
        #expect(Set(seen.values.map { Array($0.utf8) }).count == seen.count)
    }

    @Test func varyHeaderValuesAreKeyedByteForByteAndMissingIsNotEmpty() throws {
        let boundaries = try CacheBoundaries([
            CacheEndpoint(name: "tenant", path: "/t", ttl: .seconds(1), varyHeaders: ["X-Tenant"])
        ])
        func key(_ headers: [(String, String)]) -> String? {
            boundaries.decide(CacheRequest(path: "/t", headers: headers.map { (name: $0.0, value: $0.1) })).key
        }
        #expect(key([("X-Tenant", "AbC")]) != key([("X-Tenant", "abc")]), "a cross-tenant leak")
        #expect(key([]) != key([("X-Tenant", "")]))
        #expect(key([("x-tenant", "a")]) == key([("X-TENANT", "a")]), "header names are case-insensitive in HTTP")
        #expect(
            key([("X-Tenant", "a"), ("X-Tenant", "b")]) != key([("X-Tenant", "a")]), "every value the handler can read")
        #expect(key([("X-Tenant", "a"), ("X-Tenant", "b")]) != key([("X-Tenant", "b"), ("X-Tenant", "a")]))
    }

    @Test(arguments: [
        ("defaultSize", PaginationBoundary.PageParameter.offset("offset", sizeParameter: "limit", defaultSize: 0), 1),
        ("defaultSize", PaginationBoundary.PageParameter.offset("offset", sizeParameter: "limit", defaultSize: -5), 1),
        ("highestCachedPage", PaginationBoundary.PageParameter.page("page"), 0),
        ("highestCachedPage", PaginationBoundary.PageParameter.page("page"), -1),
    ])
    func everyNumberOfABoundaryIsChecked(
        field: String, pageParameter: PaginationBoundary.PageParameter, highest: Int
    ) throws {
        var pagination = PaginationBoundary(pageParameter: pageParameter)
        pagination.highestCachedPage = highest
        let endpoint = CacheEndpoint(name: "feed", path: "/feed", ttl: .seconds(1), pagination: pagination)
        let error = #expect(throws: CacheError.self) { try CacheBoundaries([endpoint]) }
        #expect(error?.code == .invalidConfiguration)
        #expect(
            error?.message.contains("endpoint 'feed'") == true && error?.message.contains(field) == true,
            "\(error?.message ?? "no error")")
    }

    @Test func theSchemeAndAuthorityArePartOfTheKeyUnlessTheEndpointIgnoresTheHost() throws {
        let boundaries = try CacheBoundaries([
            CacheEndpoint(name: "page", path: "/page", ttl: .seconds(1)),
            CacheEndpoint(name: "any-host", path: "/any", ttl: .seconds(1), ignoresHost: true),
        ])
        func key(
            _ path: String, scheme: String? = "http", authority: String? = "shop.example", host: [String] = []
        ) -> String? {
            boundaries.decide(
                CacheRequest(
                    scheme: scheme, authority: authority, path: path, headers: host.map { (name: "Host", value: $0) })
            ).key
        }
        #expect(key("/page") == "http://shop.example/page")
        #expect(key("/page", authority: "shop.example:8080") == "http://shop.example:8080/page")
        #expect(key("/page", authority: "evil.example") != key("/page"))
        #expect(key("/page", authority: "SHOP.example") != key("/page"))
        #expect(key("/page", scheme: "https") != key("/page"))
        #expect(key("/page", authority: nil) != key("/page", authority: ""), "no authority is not an empty one")
        #expect(key("/page", host: ["evil.example"]) != key("/page"), "a Host field besides the authority")
        #expect(key("/page", scheme: nil, authority: nil) == "/page")
        #expect(key("/any", authority: "evil.example") == key("/any"))
        #expect(key("/any", host: ["evil.example"]) == key("/any"))
        #expect(key("/any", scheme: "https") != key("/any"), "the scheme stays in the key")
        #expect(boundaries.decide(CacheRequest(path: "page")).bypassReason == .noBoundary, "a path must start with '/'")
    }

    @Test func foldingIsOptInPerNamedParameterAndHeader() throws {
        let boundaries = try CacheBoundaries([
            CacheEndpoint(
                name: "items", path: "/items", ttl: .seconds(1),
                pagination: PaginationBoundary(
                    highestCachedPage: 2,
                    commonFilters: ["status": ["open", "shipped"]],
                    unknownParameters: .includeInKey,
                    parameterFolding: [
                        "status": [.trimWhitespace, .ignoreCase], "zip": [.integerForm],
                        "page": [.integerForm, .absentAs("1")],
                    ]
                ),
                varyHeaders: ["Accept-Language", "X-Tenant"],
                varyHeaderFolding: ["Accept-Language": [.ignoreCase]]
            )
        ])
        func key(_ query: [(String, String)], _ headers: [(String, String)] = []) -> String? {
            boundaries.decide(
                CacheRequest(
                    path: "/items", query: query.map { (name: $0.0, value: $0.1) },
                    headers: headers.map { (name: $0.0, value: $0.1) })
            ).key
        }
        #expect(key([("status", " OPEN ")]) == key([("status", "open")]))
        #expect(key([("status", "open")]) != nil)
        #expect(key([("zip", "01234")]) == key([("zip", "1234")]))
        #expect(key([("q", "Foo")]) != key([("q", "foo")]), "q declares no folding")
        #expect(key([]) == key([("page", "1")]))
        #expect(key([]) == key([("page", "01")]))
        #expect(key([("page", "2")]) != key([]))
        #expect(key([("page", "3")]) == nil)
        #expect(key([], [("Accept-Language", "EN")]) == key([], [("accept-language", "en")]))
        #expect(key([], [("X-Tenant", "AbC")]) != key([], [("X-Tenant", "abc")]), "X-Tenant declares no folding")

        let twoDefaults = CacheEndpoint(
            name: "bad", path: "/bad", ttl: .seconds(1),
            pagination: PaginationBoundary(parameterFolding: ["page": [.absentAs("1"), .absentAs("2")]]))
        let error = #expect(throws: CacheError.self) { try CacheBoundaries([twoDefaults]) }
        #expect(
            error?.message.contains("endpoint 'bad'") == true && error?.message.contains("parameterFolding") == true)
    }

    @Test func aFileDeclaresFoldingAndHostIndependence() throws {
        let json = """
            {"endpoints": [{"name": "items", "path": "/items", "ttl": "1s", "ignores_host": true,
              "vary_headers": ["accept-language"], "vary_header_folding": {"accept-language": ["ignore_case"]},
              "pagination": {"unknown_parameters": "include_in_key",
                             "parameter_folding": {"q": ["trim_whitespace", "ignore_case", "integer_form"], "page": [{"absent_as": "1"}]}}}]}
            """
        let boundaries = try CacheBoundaries(json: Array(json.utf8))
        let endpoint = try #require(boundaries.endpoints.first)
        #expect(endpoint.ignoresHost)
        #expect(endpoint.varyHeaderFolding == ["accept-language": [.ignoreCase]])
        #expect(
            endpoint.pagination?.parameterFolding == [
                "q": [.trimWhitespace, .ignoreCase, .integerForm], "page": [.absentAs("1")],
            ])
        let bad = #expect(throws: CacheError.self) {
            try CacheBoundaries(
                json: Array(
                    #"{"endpoints": [{"name": "a", "path": "/a", "ttl": "1s", "pagination": {"parameter_folding": {"q": ["upper"]}}}]}"#
                        .utf8))
        }
        #expect(bad?.message.hasPrefix("endpoints[0].pagination.parameter_folding.q") == true, "\(bad?.message ?? "")")
        let zero = #expect(throws: CacheError.self) {
            try CacheBoundaries(
                json: Array(
                    #"{"endpoints": [{"name": "a", "path": "/a", "ttl": "1s", "pagination": {"page_parameter": {"offset": "o", "size_parameter": "l", "default_size": 0}}}]}"#
                        .utf8))
        }
        #expect(
            zero?.message.contains("default_size") == true || zero?.message.contains("defaultSize") == true,
            "\(zero?.message ?? "")")
    }

    @Test func decisionsAreCountedPerBoundaryAndReasonAndWrittenOnTheRequestSpan() throws {
        let boundaries = try self.makeBoundaries()
        _ = boundaries.decide(CacheRequest(path: "/admin/order-items"))
        _ = boundaries.decide(CacheRequest(path: "/admin/order-items", query: [(name: "page", value: "3")]))
        _ = boundaries.decide(CacheRequest(path: "/admin/order-items", query: [(name: "page", value: "4")]))
        _ = boundaries.decide(CacheRequest(path: "/elsewhere"))
        func count(_ boundary: String, _ decision: String) throws -> Int64 {
            try self.metrics.expectCounter(
                "cache.boundary_decisions", [("boundary", boundary), ("decision", decision)]
            ).totalValue
        }
        #expect(try count("order-items", "cache") == 1)
        #expect(try count("order-items", "deep_page") == 2)
        #expect(try count("none", "no_boundary") == 1)

        let tracer = InMemoryTracer()
        let span = tracer.startSpan("GET /admin/order-items")
        boundaries.decide(CacheRequest(path: "/admin/order-items", query: [(name: "page", value: "2")])).record(
            on: span)
        span.end()
        #expect(tracer.finishedSpans[0].attributes == ["cache.boundary": "order-items", "cache.decision": "deep_page"])
    }

    @Test func getOrLoadForADecisionUsesTheEndpointsTTLAndPolicyAndBypassesOtherwise() async throws {
        let tracer = InMemoryTracer()
        let cache = try Cache(
            namespace: "pages",
            backend: try MemoryBackend(byteBudget: 1 << 20),
            configuration: .init(tracer: tracer)
        )
        let boundaries = try self.makeBoundaries()
        let loads = LoadCounter()
        let load: @Sendable () async throws -> [Int] = {
            loads.increment()
            return [1, 2, 3]
        }
        let first = boundaries.decide(
            CacheRequest(path: "/admin/order-items", query: [(name: "status", value: "open")]))
        #expect(try await cache.getOrLoad(for: first, loader: load) == [1, 2, 3])
        #expect(try await cache.getOrLoad(for: first, loader: load) == [1, 2, 3])
        #expect(loads.count == 1)
        // The endpoint's TTL plus its grace period is what the backend holds.
        #expect(tracer.finishedSpans.first { $0.operationName == "cache.put" }?.attributes.get("cache.ttl") == 90)

        let deep = boundaries.decide(CacheRequest(path: "/admin/order-items", query: [(name: "page", value: "9")]))
        tracer.clearFinishedSpans()
        _ = try await cache.getOrLoad(for: deep, loader: load)
        _ = try await cache.getOrLoad(for: deep, loader: load)
        #expect(loads.count == 3)
        #expect(tracer.finishedSpans.isEmpty, "a bypass does not touch the cache")
    }

    @Test func aKeyLongerThanTheCachesLimitBypassesTheCache() async throws {
        let tracer = InMemoryTracer()
        let cache = try Cache(
            namespace: "pages",
            backend: try MemoryBackend(byteBudget: 1 << 20),
            configuration: .init(maximumKeyLength: 40, tracer: tracer)
        )
        let boundaries = try CacheBoundaries([CacheEndpoint(name: "any", path: "/any", ttl: .seconds(60))])
        let short = boundaries.decide(CacheRequest(path: "/any", query: [(name: "q", value: "a")]))
        let long = boundaries.decide(
            CacheRequest(path: "/any", query: [(name: "q", value: String(repeating: "a", count: 40))]))
        #expect(cache.readThroughTarget(for: short)?.key == short.key)
        #expect(long.key != nil, "the boundary caches it; only the cache's key limit refuses it")
        #expect(cache.readThroughTarget(for: long) == nil)

        let loads = LoadCounter()
        let load: @Sendable () async throws -> Int = {
            loads.increment()
            return 1
        }
        _ = try await cache.getOrLoad(for: long, loader: load)
        _ = try await cache.getOrLoad(for: long, loader: load)
        #expect(loads.count == 2)
        #expect(tracer.finishedSpans.isEmpty, "a key too long for the cache is a bypass, not an error")
    }

    @Test func aJSONFileDecidesLikeTheSameBoundariesInCode() throws {
        let json = """
            {
              "endpoints": [
                {
                  "name": "order-items",
                  "path": "/admin/order-items",
                  "ttl": "60s",
                  "jitter": 0.1,
                  "pagination": {
                    "page_parameter": "page",
                    "highest_cached_page": 1,
                    "common_filters": { "status": ["open", "shipped"], "sort": ["newest"] },
                    "volatile_parameters": ["_"]
                  },
                  "stampede": { "lock": { "lease": "10s", "maximum_wait": "2s", "on_timeout": "load" } },
                  "grace": 30
                },
                { "name": "feed", "path": "/feed", "ttl": "250ms", "methods": ["GET"],
                  "pagination": { "page_parameter": { "offset": "offset", "size_parameter": "limit", "default_size": 20 },
                                  "highest_cached_page": 3, "unknown_parameters": "include_in_key" },
                  "early_refresh_beta": 1.5, "vary_headers": ["accept-language"], "scope": "shared" }
              ]
            }
            """
        let boundaries = try CacheBoundaries(json: Array(json.utf8))
        let endpoint = try #require(boundaries.endpoints.first)
        #expect(endpoint.ttl == .seconds(60))
        #expect(endpoint.loadPolicy.gracePeriod == .seconds(30))
        #expect(endpoint.loadPolicy.ttlJitter == .proportional(0.1))
        #expect(endpoint.loadPolicy.lock == Self.orderItems.loadPolicy.lock)
        let inCode = try CacheBoundaries([Self.orderItems])
        var generator = SeededGenerator(seed: 5)
        let names = ["page", "status", "sort", "_", "other"]
        let values = ["1", "2", "open", "shipped", "newest", "x", "01"]
        for _ in 0..<2_000 {
            let query = (0..<Int.random(in: 0...3, using: &generator)).map { _ in
                (name: names.randomElement(using: &generator)!, value: values.randomElement(using: &generator)!)
            }
            let request = CacheRequest(path: "/admin/order-items", query: query)
            #expect(boundaries.decide(request).outcome == inCode.decide(request).outcome)
        }
        let feed = boundaries.endpoints[1]
        #expect(feed.ttl == .milliseconds(250))
        #expect(feed.methods == ["GET"])
        #expect(feed.loadPolicy.earlyRefresh == EarlyRefresh(beta: 1.5))
        let third = boundaries.decide(
            CacheRequest(path: "/feed", query: [(name: "offset", value: "40"), (name: "tag", value: "a")]))
        // The offset as sent, no page synthesised; a vary header the request does not send is apart from an empty one.
        #expect(third.key == "/feed?offset=40&tag=a accept-language")
    }

    @Test func aYAMLFileReadsLikeJSONAndNamesBadFields() throws {
        let yaml = """
            endpoints:
              - name: order-items
                path: /admin/order-items
                ttl: 60s
                grace: 30s
                pagination:
                  highest_cached_page: 3
                  common_filters: { status: [open, shipped] }
                stampede: { lock: { lease: 10s, maximum_wait: 2s } }
            """
        let boundaries = try CacheBoundaries(yaml: yaml)
        #expect(boundaries.endpoints[0].loadPolicy.gracePeriod == .seconds(30))
        #expect(
            boundaries.decide(CacheRequest(path: "/admin/order-items", query: [(name: "page", value: "3")])).key != nil)
        #expect(
            boundaries.decide(CacheRequest(path: "/admin/order-items", query: [(name: "page", value: "4")]))
                .bypassReason == .deepPage)

        let error = #expect(throws: CacheError.self) {
            try CacheBoundaries(yaml: "endpoints:\n  - name: a\n    path: /a\n    ttl: 1s\n    scope: everyone\n")
        }
        #expect(error?.message.hasPrefix("endpoints[0].scope: expected") == true, "\(error?.message ?? "")")
    }

    @Test(arguments: [
        (#"{"endpoints": [{"name": "a", "path": "/a", "tll": "60s"}]}"#, "endpoints[0].tll: unknown field"),
        (
            #"{"endpoints": [{"name": "a", "path": "/a", "ttl": "sixty"}]}"#,
            "endpoints[0].ttl: expected a positive duration"
        ),
        (#"{"endpoints": [{"name": "a", "path": "/a", "ttl": -1}]}"#, "endpoints[0].ttl: must be positive"),
        (#"{"endpoints": [{"name": "a", "ttl": "1s"}]}"#, "endpoints[0].path: missing"),
        (
            #"{"endpoints": [{"name": "a", "path": "/a", "ttl": "1s", "pagination": {"highest_cached_page": 0}}]}"#,
            "endpoints[0].pagination.highest_cached_page: must be at least 1"
        ),
        (
            #"{"endpoints": [{"name": "a", "path": "/a", "ttl": "1s", "pagination": {"highest_cached_page": "one"}}]}"#,
            "endpoints[0].pagination.highest_cached_page: expected an integer"
        ),
        (
            #"{"endpoints": [{"name": "a", "path": "/a", "ttl": "1s", "scope": "everyone"}]}"#,
            "endpoints[0].scope: expected \"shared\" or \"per_user\""
        ),
        (
            #"{"endpoints": [{"name": "a", "path": "/a", "ttl": "1s", "stampede": {"lock": {"on_timeout": "panic"}}}]}"#,
            "endpoints[0].stampede.lock.on_timeout: expected \"load\" or \"fail\""
        ),
        (
            #"{"endpoints": [{"name": "a", "path": "/a", "ttl": "1s", "jitter": 1.5}]}"#,
            "endpoints[0]: jitter: a fraction in 0..<1"
        ),
        (
            #"{"endpoints": [{"name": "a", "path": "a", "ttl": "1s"}]}"#,
            "endpoints[0]: endpoint 'a': path must start with '/'"
        ),
        (
            #"{"endpoints": [{"name": "a", "path": "/a", "ttl": "1s"}, {"name": "a", "path": "/b", "ttl": "1s"}]}"#,
            "two endpoints are named 'a'"
        ),
        (#"{"endpoints": [{"name": "none", "path": "/a", "ttl": "1s"}]}"#, "the endpoint name 'none' is reserved"),
        (#"{"endpoints": [}"#, "the document is not valid"),
    ])
    func badFilesAreRefusedWithTheFieldNamed(json: String, message: String) {
        let error = #expect(throws: CacheError.self) { try CacheBoundaries(json: Array(json.utf8)) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "no error")")
    }
}

extension String {
    fileprivate var replacingSlashes: String { String(self.map { $0 == "/" ? "_" : $0 }) }
}
