import CacheLayerTestSupport
import Testing

@testable import CacheLayer

@Suite("Pagination boundary")
struct PaginationBoundaryTests {
    let boundary = PaginationBoundary(
        pageParameter: .page("page"),
        highestCachedPage: 1,
        commonFilters: ["status": ["open", "shipped"], "sort": ["newest"]],
        volatileParameters: ["_", "request_id"]
    )
    let path = "/admin/order-items"

    func decide(_ query: [(String, String)], personalised: Bool = false) -> BoundaryDecision.Outcome {
        self.boundary.decide(
            path: self.path, query: query.map { (name: $0.0, value: $0.1) }, isPersonalised: personalised)
    }

    @Test func thePageOneStoryFromTheArticle() {
        let first = self.decide([("status", "open"), ("page", "1")])
        #expect(first == .cache(key: "/admin/order-items?page=1&status=open"))
        #expect(self.decide([("page", "1"), ("status", "open"), ("_", "123")]) == first)
        // No folding by default: no page is page 1 but a key of its own, and values are matched and keyed as sent.
        #expect(self.decide([("status", "open")]) == .cache(key: "/admin/order-items?status=open"))
        #expect(self.decide([("status", " Open ")]) == .bypass(.uncommonFilter))
        #expect(
            self.decide([("status", "open"), ("page", "01")]) == .cache(key: "/admin/order-items?page=01&status=open"))
        #expect(self.decide([("status", "open"), ("page", "2")]) == .bypass(.deepPage))
        #expect(self.decide([("status", "cancelled")]) == .bypass(.uncommonFilter))
        #expect(self.decide([("status", "open"), ("utm_source", "mail")]) == .bypass(.unknownParameter))
        #expect(self.decide([("status", "open")], personalised: true) == .bypass(.personalised))
        #expect(self.decide([("page", "0")]) == .bypass(.deepPage))
        #expect(self.decide([("page", "two")]) == .bypass(.deepPage))
        #expect(self.decide([("page", "1"), ("page", "3")]) == .bypass(.deepPage), "conflicting pages")
    }

    @Test func cachingDeeperPagesMovesTheBoundary() {
        var boundary = self.boundary
        boundary.highestCachedPage = 3
        let keys = (1...4).map { boundary.decide(path: self.path, query: [(name: "page", value: "\($0)")]) }
        #expect(keys[0] == .cache(key: "/admin/order-items?page=1"))
        #expect(keys[2] == .cache(key: "/admin/order-items?page=3"))
        #expect(keys[3] == .bypass(.deepPage))
        #expect(Set(keys).count == 4)
    }

    @Test func offsetAndCursorPagination() {
        let offsets = PaginationBoundary(
            pageParameter: .offset("offset", sizeParameter: "limit", defaultSize: 20), highestCachedPage: 2)
        #expect(offsets.decide(path: "/items", query: []) == .cache(key: "/items"))
        #expect(offsets.decide(path: "/items", query: [(name: "offset", value: "19")]) == .bypass(.unalignedOffset))
        #expect(
            offsets.decide(path: "/items", query: [(name: "offset", value: "20")]) == .cache(key: "/items?offset=20"))
        #expect(offsets.decide(path: "/items", query: [(name: "offset", value: "40")]) == .bypass(.deepPage))
        #expect(offsets.decide(path: "/items", query: [(name: "limit", value: "50")]) == .cache(key: "/items?limit=50"))

        let cursors = PaginationBoundary(pageParameter: .cursor("cursor"))
        #expect(cursors.decide(path: "/feed", query: []) == .cache(key: "/feed"))
        #expect(cursors.decide(path: "/feed", query: [(name: "cursor", value: "abc")]) == .bypass(.deepPage))
    }

    // MARK: Exact keys (issue 13): two requests share a key only if the handler would receive the same input.

    func key(_ boundary: PaginationBoundary, _ query: [(String, String)]) -> String? {
        boundary.decide(path: "/items", query: query.map { (name: $0.0, value: $0.1) }).key
    }

    @Test func aHugeOffsetOrSizeBypassesInsteadOfTrapping() {
        let offsets = PaginationBoundary(
            pageParameter: .offset("offset", sizeParameter: "limit", defaultSize: 20), highestCachedPage: 2)
        for query in [
            [("offset", "9223372036854775807"), ("limit", "1")],
            [("offset", "9223372036854775807")],
            [("offset", "9223372036854775800"), ("limit", "9223372036854775807")],
            [("offset", "99999999999999999999999"), ("limit", "1")],
            [("offset", "0"), ("limit", "99999999999999999999999")],
            [("offset", "-1")],
        ] {
            #expect(self.key(offsets, query) == nil, "\(query)")
        }
        let pages = PaginationBoundary(pageParameter: .page("page"), highestCachedPage: Int.max)
        #expect(
            self.key(pages, [("page", "9223372036854775807")]) != nil,
            "the deepest page is a page, and does not overflow")
        #expect(self.key(pages, [("page", "9223372036854775808")]) == nil, "a number that does not fit bypasses")
    }

    @Test func queryValuesAreKeyedByteForByte() {
        let boundary = PaginationBoundary(unknownParameters: .includeInKey)
        #expect(self.key(boundary, [("q", "Foo")]) != self.key(boundary, [("q", "foo")]))
        #expect(self.key(boundary, [("zip", "01234")]) != self.key(boundary, [("zip", "1234")]))
        #expect(self.key(boundary, [("q", " a")]) != self.key(boundary, [("q", "a")]))
        // Repeated values keep their order (a handler taking the last value sees different input) ...
        #expect(
            self.key(boundary, [("status", "open"), ("status", "shipped")])
                != self.key(boundary, [("status", "shipped"), ("status", "open")]))
        #expect(self.key(boundary, [("q", "a"), ("q", "a")]) != self.key(boundary, [("q", "a")]))
        // ... while the order of distinct names does not matter.
        #expect(
            self.key(boundary, [("a", "1"), ("b", "2"), ("a", "3")])
                == self.key(boundary, [("b", "2"), ("a", "1"), ("a", "3")]))
    }

    @Test func parameterNamesAreMatchedExactly() {
        let boundary = PaginationBoundary(commonFilters: ["status": ["open"]], volatileParameters: ["_"])
        #expect(self.key(boundary, [("status", "open")]) != nil)
        #expect(self.key(boundary, [("Status", "open")]) == nil, "a handler looking up `status` does not see `Status`")
        #expect(self.key(boundary, [(" _", "1")]) == nil)
        let open = PaginationBoundary(unknownParameters: .includeInKey)
        #expect(self.key(open, [("Q", "1")]) != self.key(open, [("q", "1")]))
    }

    @Test func filterValuesAreMatchedExactlyUnlessFolded() {
        let boundary = PaginationBoundary(commonFilters: ["status": ["open", "shipped"]])
        #expect(self.key(boundary, [("status", "open")]) != nil)
        #expect(self.key(boundary, [("status", "OPEN")]) == nil, "not a common value as sent")
        #expect(self.key(boundary, [("status", " open")]) == nil)
    }

    @Test func anExplicitFirstPageIsNotTheAbsentPageByDefault() {
        let boundary = PaginationBoundary(pageParameter: .page("page"), highestCachedPage: 2)
        #expect(self.key(boundary, [("page", "1")]) != nil && self.key(boundary, []) != nil)
        #expect(self.key(boundary, [("page", "1")]) != self.key(boundary, []))
        #expect(self.key(boundary, [("page", "01")]) != self.key(boundary, [("page", "1")]))
    }

    @Test func offsetsAreNeverSnappedToAPage() {
        let offsets = PaginationBoundary(
            pageParameter: .offset("offset", sizeParameter: "limit", defaultSize: 20), highestCachedPage: 2)
        guard
            case .bypass(let reason) = offsets.decide(
                path: "/items", query: [(name: "offset", value: "19"), (name: "limit", value: "20")])
        else {
            Issue.record("offset 19 of size 20 is not a page boundary; it must bypass")
            return
        }
        #expect(reason.name == "unaligned_offset")
        #expect(self.key(offsets, [("offset", "20")]) != nil)
        #expect(
            self.key(offsets, [("offset", "20")]) != self.key(offsets, [("offset", "20"), ("limit", "20")]),
            "no limit is not limit=20")
        #expect(self.key(offsets, [("offset", "0")]) != self.key(offsets, []), "no offset is not offset=0")
        #expect(self.key(offsets, [("offset", "40")]) == nil, "page 3")
    }

    @Test func aRealParameterNamedPageIsKeptInOffsetMode() {
        let offsets = PaginationBoundary(
            pageParameter: .offset("offset", sizeParameter: "limit", defaultSize: 20),
            highestCachedPage: 2,
            unknownParameters: .includeInKey
        )
        #expect(self.key(offsets, [("page", "7")]) != nil)
        #expect(self.key(offsets, [("page", "7")]) != self.key(offsets, [("page", "8")]))
        #expect(self.key(offsets, [("page", "7")]) != self.key(offsets, [("offset", "0")]))
    }

    /// The reference model: what the handler receives, computed the obvious way: each name's values in order
    /// (names and values as bytes), volatile names dropped. Two requests must share a key exactly when their models
    /// are equal (and be refused exactly when the model refuses them).
    struct Model: Hashable {
        var parameters: [[UInt8]: [[UInt8]]]
    }

    static func model(
        _ query: [(String, String)], highest: Int, filters: [String: Set<String>], volatile: Set<String>
    ) -> Model? {
        var pages: Set<Int> = []
        var parameters: [[UInt8]: [[UInt8]]] = [:]
        for (name, value) in query {
            if volatile.contains(where: { Array($0.utf8) == Array(name.utf8) }) { continue }
            if name == "page" {
                guard let page = Int(value), page >= 1 else { return nil }
                pages.insert(page)
            } else if let allowed = filters[name] {
                guard allowed.contains(where: { Array($0.utf8) == Array(value.utf8) }) else { return nil }
            }
            // Unknown parameters are kept in this configuration.
            parameters[Array(name.utf8), default: []].append(Array(value.utf8))
        }
        guard pages.count <= 1, pages.first ?? 1 <= highest else { return nil }
        return Model(parameters: parameters)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func keysAreEqualExactlyWhenTheCanonicalParametersAre(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let filters: [String: Set<String>] = ["status": ["open", "shipped"], "sort": ["newest"]]
        let volatile: Set<String> = ["_", "ts"]
        let boundary = PaginationBoundary(
            highestCachedPage: 2,
            commonFilters: filters,
            volatileParameters: volatile,
            unknownParameters: .includeInKey
        )
        // Awkward values on purpose: separators, escapes and look-alikes must never collide.
        let names = ["page", "status", "sort", "_", "ts", "q", "Q ", "a&b", "a=b", "x%26y", "x", "b", "a"]
        let values = [
            "1", "2", "3", "01", "1&b=2", "2&q=1", " open", "OPEN", "shipped", "newest", "cancelled", "a&b=c",
            "a%26b%3Dc", "é", "", "0", "x y",
        ]

        var requests: [[(String, String)]] = []
        for _ in 0..<400 {
            let count = Int.random(in: 0...4, using: &random)
            requests.append(
                (0..<count).map { _ in (names.randomElement(using: &random)!, values.randomElement(using: &random)!) })
        }
        // Copies whose distinct names come in another order (each name's values keeping theirs) share keys with
        // their originals.
        requests += requests.prefix(100).map { query in
            var order: [String] = []
            for (name, _) in query where !order.contains(name) { order.append(name) }
            order.shuffle(using: &random)
            return order.flatMap { name in query.filter { $0.0 == name } }
        }
        // Pairs that a key built without escaping would merge.
        requests += [
            [("q", "1&b=2")], [("q", "1"), ("b", "2")],
            [("a=b", "1")], [("a", "b=1")],
            [("q", "x%26y")], [("q", "x&y")],
            [("q", "a"), ("q", "b")], [("q", "a&q=b")],
        ]

        let decisions = requests.map { boundary.decide(path: "/p", query: $0.map { (name: $0.0, value: $0.1) }) }
        let models = requests.map { Self.model($0, highest: 2, filters: filters, volatile: volatile) }
        var cached = 0
        for i in decisions.indices {
            #expect((models[i] == nil) == (decisions[i].key == nil), "request \(requests[i]): \(decisions[i])")
            guard let key = decisions[i].key, let model = models[i] else { continue }
            cached += 1
            for j in decisions.indices where j > i {
                guard let otherKey = decisions[j].key, let otherModel = models[j] else { continue }
                #expect((key == otherKey) == (model == otherModel), "\(requests[i]) vs \(requests[j])")
            }
        }
        #expect(cached > 100, "the generator must produce enough cacheable requests to compare")
    }
}

extension BoundaryDecision.Outcome {
    var key: String? {
        if case .cache(let key) = self { return key }
        return nil
    }
}
