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

    func decide(_ query: [(String, String)], personalised: Bool = false) -> PaginationBoundary.Decision {
        self.boundary.decide(path: self.path, query: query.map { (name: $0.0, value: $0.1) }, isPersonalised: personalised)
    }

    @Test func thePageOneStoryFromTheArticle() {
        let first = self.decide([("status", "open"), ("page", "1")])
        #expect(first == .cache(key: "/admin/order-items?page=1&status=open"))
        #expect(self.decide([("page", "1"), ("status", "open"), ("_", "123")]) == first)
        #expect(self.decide([("status", " Open ")]) == first, "no page means page 1; values are normalised")
        #expect(self.decide([("status", "open"), ("page", "01")]) == first)
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
        let offsets = PaginationBoundary(pageParameter: .offset("offset", sizeParameter: "limit", defaultSize: 20), highestCachedPage: 2)
        let pageOne = offsets.decide(path: "/items", query: [])
        #expect(pageOne == .cache(key: "/items?limit=20&page=1"))
        #expect(offsets.decide(path: "/items", query: [(name: "offset", value: "19")]) == pageOne)
        #expect(offsets.decide(path: "/items", query: [(name: "offset", value: "20")]) == .cache(key: "/items?limit=20&page=2"))
        #expect(offsets.decide(path: "/items", query: [(name: "offset", value: "40")]) == .bypass(.deepPage))
        #expect(offsets.decide(path: "/items", query: [(name: "limit", value: "50")]) == .cache(key: "/items?limit=50&page=1"))

        let cursors = PaginationBoundary(pageParameter: .cursor("cursor"))
        #expect(cursors.decide(path: "/feed", query: []) == .cache(key: "/feed"))
        #expect(cursors.decide(path: "/feed", query: [(name: "cursor", value: "abc")]) == .bypass(.deepPage))
    }

    /// The reference model: the canonical parameter set of a request, computed the obvious way. Two requests must
    /// share a key exactly when their models are equal (and be refused exactly when the model refuses them).
    struct Model: Hashable {
        var page: Int
        var parameters: [String: Set<String>]
    }

    static func model(_ query: [(String, String)], highest: Int, filters: [String: Set<String>], volatile: Set<String>) -> Model? {
        func clean(_ text: String) -> String {
            var scalars = Array(text.unicodeScalars)
            while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
            while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
            let lowered = String(String.UnicodeScalarView(scalars)).lowercased()
            return Int(lowered).map(String.init) ?? lowered
        }
        var pages: Set<Int> = []
        var parameters: [String: Set<String>] = [:]
        for (rawName, rawValue) in query {
            let name = clean(rawName)
            let value = clean(rawValue)
            if volatile.contains(name) { continue }
            if name == "page" {
                guard let page = Int(value), page >= 1 else { return nil }
                pages.insert(page)
            } else if let allowed = filters[name], allowed.contains(value) {
                parameters[name, default: []].insert(value)
            } else if filters[name] != nil {
                return nil
            } else {
                parameters[name, default: []].insert(value)  // unknown parameters are kept in this configuration
            }
        }
        guard pages.count <= 1 else { return nil }
        let page = pages.first ?? 1
        guard page <= highest else { return nil }
        return Model(page: page, parameters: parameters)
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
        let values = ["1", "2", "3", "01", "1&b=2", "2&q=1", " open", "OPEN", "shipped", "newest", "cancelled", "a&b=c", "a%26b%3Dc", "é", "", "0", "x y"]

        var requests: [[(String, String)]] = []
        for _ in 0..<400 {
            let count = Int.random(in: 0...4, using: &random)
            requests.append((0..<count).map { _ in (names.randomElement(using: &random)!, values.randomElement(using: &random)!) })
        }
        // Shuffled copies share keys with their originals.
        requests += requests.prefix(100).map { $0.shuffled(using: &random) }
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

extension PaginationBoundary.Decision {
    var key: String? {
        if case .cache(let key) = self { return key }
        return nil
    }
}
