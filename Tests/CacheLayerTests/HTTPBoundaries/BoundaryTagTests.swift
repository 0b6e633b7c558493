import CacheLayer
import CacheLayerYAML
import Testing

/// Boundary tags and invalidation rules: templates built from path parameters and query values, what a missing
/// value does, and bad templates refused with the field named.
@Suite struct BoundaryTagTests {
    static let boundaries = try! CacheBoundaries(
        [
            CacheEndpoint(
                name: "store-orders", path: "/stores/:store/orders", ttl: .seconds(60),
                tags: ["orders", "store:{store}", "status:{?status}"])
        ],
        invalidationRules: [
            CacheInvalidationRule(
                name: "order-status", path: "/stores/:store/orders/:order/status", methods: ["PUT"],
                tags: ["store:{store}", "order:{order}", "status:{?from}", "status:{?to}"]),
            CacheInvalidationRule(name: "orders", path: "/stores/**", tags: ["orders"]),
        ]
    )

    @Test func anEntrysTagsAreBuiltFromItsPathAndQuery() {
        let decision = Self.boundaries.decide(
            CacheRequest(path: "/stores/7/orders", query: [("status", "open"), ("status", "shipped")]))
        #expect(decision.key != nil)
        #expect(decision.tags == ["orders", "store:7", "status:open", "status:shipped"])
        let decoded = Self.boundaries.decide(CacheRequest(path: "/stores/a%20b/orders", query: [("status", "x")]))
        #expect(decoded.tags == ["orders", "store:a b", "status:x"])
    }

    /// `café` precomposed and decomposed are one string to `==`, and two tags (tags are compared by bytes): an entry
    /// keeps both, or an invalidation of the dropped spelling would miss it.
    @Test func twoSpellingsOfOneWordAreTwoTags() {
        let decision = Self.boundaries.decide(
            CacheRequest(path: "/stores/7/orders", query: [("status", "caf\u{E9}"), ("status", "cafe\u{301}")]))
        #expect(
            decision.tags.map { Array($0.utf8) }
                == ["orders", "store:7", "status:caf\u{E9}", "status:cafe\u{301}"].map { Array($0.utf8) })
    }

    @Test func requestsThatShareAnEntryGiveItTheSameTags() throws {
        let boundaries = try CacheBoundaries([
            CacheEndpoint(
                name: "orders", path: "/orders", ttl: .seconds(60),
                pagination: PaginationBoundary(
                    commonFilters: ["status": ["open"]], parameterFolding: ["status": [.ignoreCase]]),
                tags: ["status:{?status}"])
        ])
        let lower = boundaries.decide(CacheRequest(path: "/orders", query: [("status", "open")]))
        let upper = boundaries.decide(CacheRequest(path: "/orders", query: [("status", "OPEN")]))
        #expect(lower.key != nil && lower.key == upper.key)
        // The tag is built from the value the key holds (folded), not as sent: whichever request stores the
        // entry, an invalidation of `status:open` reaches it.
        #expect(lower.tags == ["status:open"] && upper.tags == ["status:open"])
    }

    @Test func aMissingOrEmptyValueBypassesRatherThanStoringAnEntryNoWriteCouldInvalidate() {
        for query in [[], [(name: "status", value: "")]] {
            let decision = Self.boundaries.decide(CacheRequest(path: "/stores/7/orders", query: query))
            #expect(decision.bypassReason == .unresolvedTag)
            #expect(decision.tags.isEmpty)
        }
        let long = String(repeating: "x", count: CacheTag.maximumLength)
        let tooLong = Self.boundaries.decide(CacheRequest(path: "/stores/7/orders", query: [("status", long)]))
        #expect(tooLong.bypassReason == .unresolvedTag)
    }

    @Test func aQueryParameterMayHaveADefaultForRequestsWithoutIt() throws {
        let boundaries = try CacheBoundaries(
            [CacheEndpoint(name: "list", path: "/list", ttl: .seconds(60), tags: ["list:{?status|all}"])],
            invalidationRules: [CacheInvalidationRule(name: "w", path: "/write", tags: ["list:{?status|all}"])]
        )
        #expect(boundaries.decide(CacheRequest(path: "/list")).tags == ["list:all"])
        #expect(boundaries.decide(CacheRequest(path: "/list", query: [("status", "")])).tags == ["list:all"])
        #expect(boundaries.decide(CacheRequest(path: "/list", query: [("status", "open")])).tags == ["list:open"])
        #expect(boundaries.invalidation(for: CacheRequest(method: "POST", path: "/write"))?.tags == ["list:all"])
        #expect(throws: CacheError.self) {
            try CacheBoundaries([CacheEndpoint(name: "l", path: "/l", ttl: .seconds(1), tags: ["l:{?s|}"])])
        }
    }

    @Test func everyMatchingRuleInvalidatesTheTagsItCanBuild() throws {
        let write = CacheRequest(
            method: "PUT", path: "/stores/7/orders/42/status", query: [("from", "open"), ("to", "shipped")])
        let invalidation = try #require(Self.boundaries.invalidation(for: write))
        #expect(invalidation.rules == ["order-status", "orders"])
        #expect(invalidation.tags == ["store:7", "order:42", "status:open", "status:shipped", "orders"])
        #expect(invalidation.skippedTemplates == 0)
        let partial = CacheRequest(method: "PUT", path: "/stores/7/orders/42/status", query: [("to", "shipped")])
        let skipped = try #require(Self.boundaries.invalidation(for: partial))
        #expect(skipped.tags == ["store:7", "order:42", "status:shipped", "orders"])
        #expect(skipped.skippedTemplates == 1)
        let post = try #require(
            Self.boundaries.invalidation(for: CacheRequest(method: "POST", path: "/stores/7/orders/42/status")))
        #expect(post.rules == ["orders"])
        #expect(Self.boundaries.invalidation(for: CacheRequest(method: "GET", path: "/stores/7/orders")) == nil)
        #expect(Self.boundaries.invalidation(for: CacheRequest(method: "POST", path: "/elsewhere")) == nil)
        #expect(TagInvalidation.invalidates(status: 204))
        #expect(!TagInvalidation.invalidates(status: 304))
        #expect(!TagInvalidation.invalidates(status: 422))
    }

    @Test(arguments: [
        (
            #"{"endpoints": [{"name": "a", "path": "/stores/:store", "ttl": "1s", "tags": ["store:{shop}"]}]}"#,
            "endpoints[0]: endpoint 'a': tags[0]: 'store:{shop}' names '{shop}', which is not a parameter"
        ),
        (
            #"{"endpoints": [{"name": "a", "path": "/a", "ttl": "1s", "tags": ["x:{?q"]}]}"#,
            "endpoints[0]: endpoint 'a': tags[0]: 'x:{?q' has a '{' without its '}'"
        ),
        (
            #"{"endpoints": [{"name": "a", "path": "/a", "ttl": "1s", "tags": [""]}]}"#,
            "endpoints[0]: endpoint 'a': tags[0]: a tag is empty"
        ),
        (
            #"{"endpoints": [], "invalidations": [{"name": "w", "path": "/o/:order", "tags": ["o:{id}"]}]}"#,
            "invalidations[0]: invalidation rule 'w': tags[0]: 'o:{id}' names '{id}'"
        ),
        (
            #"{"endpoints": [], "invalidations": [{"name": "w", "path": "/o", "methods": ["GET"], "tags": ["o"]}]}"#,
            "invalidations[0]: invalidation rule 'w': methods: 'GET' is not one of"
        ),
        (
            #"{"endpoints": [], "invalidations": [{"name": "w", "path": "/o", "tags": []}]}"#,
            "invalidations[0]: invalidation rule 'w': tags is empty"
        ),
        (
            #"{"endpoints": [], "invalidations": [{"name": "w", "path": "/o", "tags": ["o"], "tag": ["p"]}]}"#,
            "invalidations[0].tag: unknown field"
        ),
    ])
    func inconsistentTagsAreRefusedWithTheFieldNamed(json: String, message: String) {
        let error = #expect(throws: CacheError.self) { try CacheBoundaries(json: Array(json.utf8)) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "no error")")
    }

    @Test func aYAMLFileDeclaresTagsAndRulesLikeJSON() throws {
        let boundaries = try CacheBoundaries(
            yaml: """
                endpoints:
                  - name: store-orders
                    path: /stores/:store/orders
                    ttl: 60s
                    tags: ["store:{store}"]
                invalidations:
                  - name: order-status
                    path: /stores/:store/orders/:order/status
                    methods: [PATCH]
                    tags: ["store:{store}"]
                """)
        #expect(boundaries.decide(CacheRequest(path: "/stores/9/orders")).tags == ["store:9"])
        let write = CacheRequest(method: "PATCH", path: "/stores/9/orders/1/status")
        #expect(boundaries.invalidation(for: write)?.tags == ["store:9"])
        #expect(throws: CacheError.self) {
            try CacheBoundaries(
                yaml: "endpoints:\n  - name: a\n    path: /a\n    ttl: 1s\n    tags: [\"a:{b}\"]\n")
        }
    }
}
