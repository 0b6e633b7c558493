import CacheLayer
import FuzzSupport

// A request in a small text form, decided over fixed endpoints (page, offset and cursor pagination, filters, vary
// headers, a per-user endpoint, a path with variable segments):
//
//     GET
//     /items/page?page=1&status=open
//     accept-language: en
//     @user-42
//
// Line 1 is the method, line 2 the target (the query split on `&`, each pair on its first `=`, taken as sent, as the
// middleware does), later lines `name: value` headers (a `Host` header among them), or `@id` for the user.
// Invariants besides "no trap":
// - a `.cache` key is not empty;
// - deciding twice gives the same outcome;
// - the order of parameters with different names does not change the outcome (each name's own values keep their
//   order);
// - the key rule: a request that differs in one byte of a query value, in the `Host` header or in the case of a
//   vary header's value is never cached under the same key (no endpoint here declares a folding; volatile
//   parameters, which are dropped by declaration, are left alone).

let boundaries: CacheBoundaries = {
    do {
        return try CacheBoundaries([
            CacheEndpoint(
                name: "pages",
                path: "/items/page",
                ttl: .seconds(60),
                pagination: PaginationBoundary(
                    pageParameter: .page("page"),
                    highestCachedPage: 3,
                    commonFilters: ["status": ["open", "shipped"], "sort": ["newest", "oldest"]],
                    volatileParameters: ["_", "request_id"]
                ),
                varyHeaders: ["Accept-Language"]
            ),
            CacheEndpoint(
                name: "offsets",
                path: "/items/offset",
                ttl: .seconds(60),
                pagination: PaginationBoundary(
                    pageParameter: .offset("offset", sizeParameter: "limit", defaultSize: 20),
                    highestCachedPage: 2,
                    commonFilters: ["status": ["open"]],
                    unknownParameters: .includeInKey
                )
            ),
            CacheEndpoint(
                name: "offsets-of-one",
                path: "/items/one",
                ttl: .seconds(60),
                pagination: PaginationBoundary(
                    pageParameter: .offset("skip", sizeParameter: "take", defaultSize: 1),
                    highestCachedPage: 100,
                    volatileParameters: ["_"]
                )
            ),
            CacheEndpoint(
                name: "cursor",
                path: "/items/:id/cursor",
                ttl: .seconds(60),
                pagination: PaginationBoundary(pageParameter: .cursor("after"), commonFilters: ["kind": ["a", "b"]]),
                varyHeaders: ["X-Tenant"]
            ),
            CacheEndpoint(
                name: "reports",
                path: "/tenants/*/reports/**",
                methods: ["GET", "HEAD", "POST"],
                ttl: .seconds(60),
                varyHeaders: ["X-Tenant", "Accept"],
                scope: .perUser
            ),
            CacheEndpoint(name: "plain", path: "/plain", ttl: .seconds(60)),
        ])
    } catch {
        fatalError("the fuzzing boundaries do not load: \(error)")
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestDecision(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let request = parseRequest(String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self))
    let decision = boundaries.decide(request)
    if let key = decision.key {
        expect(!key.isEmpty, "an empty cache key")
    }
    expect(boundaries.decide(request).outcome == decision.outcome, "two decisions of one request differ")
    var reordered = request
    reordered.query = groupedByName(request.query).reversed().flatMap { $0 }
    let other = boundaries.decide(reordered).outcome
    switch (decision.outcome, other) {
    case (.cache(let key), .cache(let otherKey)):
        expect(key == otherKey, "reordering parameters changed the key: \(key) vs \(otherKey)")
    case (.bypass, .bypass):
        break
    default:
        fatalError("reordering parameters changed the decision: \(decision.outcome) vs \(other)")
    }
    if case .cache(let key) = decision.outcome {
        for variant in variants(of: request, varyHeaders: decision.endpoint?.varyHeaders ?? []) {
            if case .cache(let variantKey) = boundaries.decide(variant).outcome {
                expect(variantKey != key, "two requests the handler sees differently share the key \(key)")
            }
        }
    }
    return 0
}

/// Requests a handler would see differently from `request`: one query value with a byte appended (the first
/// parameter that is not volatile), another `Host`, and each of the endpoint's vary headers with its case changed.
func variants(of request: CacheRequest, varyHeaders: [String]) -> [CacheRequest] {
    var variants: [CacheRequest] = []
    if let index = request.query.firstIndex(where: { !["_", "request_id"].contains($0.name) }) {
        var changed = request
        changed.query[index].value += "x"
        variants.append(changed)
    }
    if let index = request.headers.firstIndex(where: { $0.name.lowercased() == "host" }) {
        var changed = request
        changed.headers[index].value += "x"
        variants.append(changed)
    }
    for (index, header) in request.headers.enumerated()
    where varyHeaders.contains(header.name.lowercased()) {
        let flipped = String(
            header.value.map { $0.isUppercase ? Character($0.lowercased()) : Character($0.uppercased()) })
        guard flipped.utf8.elementsEqual(header.value.utf8) == false else { continue }
        var changed = request
        changed.headers[index].value = flipped
        variants.append(changed)
    }
    return variants
}

/// The request the text describes (see the top of this file).
func parseRequest(_ text: String) -> CacheRequest {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let method = lines.first.map(String.init) ?? "GET"
    let target = lines.count > 1 ? lines[1] : "/"
    let path: Substring
    var query: [(name: String, value: String)] = []
    if let mark = target.firstIndex(of: "?") {
        path = target[..<mark]
        for pair in target[target.index(after: mark)...].split(separator: "&") {
            if let equals = pair.firstIndex(of: "=") {
                query.append((String(pair[..<equals]), String(pair[pair.index(after: equals)...])))
            } else {
                query.append((String(pair), ""))
            }
        }
    } else {
        path = target
    }
    var headers: [(name: String, value: String)] = []
    var user: String?
    for line in lines.dropFirst(2) {
        if line.hasPrefix("@") {
            user = String(line.dropFirst())
        } else if let colon = line.firstIndex(of: ":") {
            headers.append((String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " })))
        }
    }
    return CacheRequest(method: method, path: String(path), query: query, headers: headers, userID: user)
}

/// The pairs grouped by name (byte for byte, as the key rule matches names), groups in order of first appearance,
/// each group's pairs in request order.
func groupedByName(_ query: [(name: String, value: String)]) -> [[(name: String, value: String)]] {
    var order: [String] = []
    var groups: [String: [(name: String, value: String)]] = [:]
    for pair in query {
        let name = pair.name
        if groups[name] == nil { order.append(name) }
        groups[name, default: []].append(pair)
    }
    return order.map { groups[$0]! }
}
