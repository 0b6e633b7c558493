import CacheLayer
import CacheLayerHummingbird
import CacheLayerTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The key rule, tested differentially: thousands of generated requests go through a real router with the response
/// cache in front of handlers that echo everything they can see, plus a serial per handler run. Whatever the cache
/// answers (a hit from another request, a miss, a bypass), the echo must be the echo of the request itself,
/// computed here from the generated request alone. Endpoints with declared folding echo as their handler would,
/// folded, and the oracle folds alike.
@Suite("Response cache keys: differential property")
struct ResponseCacheKeyPropertyTests {
    /// What one endpoint's handler depends on, by declaration: the echo leaves out what it ignores.
    struct EchoSpec: Sendable {
        var volatile: Set<String> = []
        var queryFolding: [String: Set<Fold>] = [:]
        var varyHeaders: [String] = []
        var headerFolding: [String: Set<Fold>] = [:]
        var ignoresHost = false
    }

    /// The test's own folding, written apart from the library's.
    enum Fold: Hashable, Sendable {
        case trim, lower, integer, absent(String)

        static func apply(_ value: String, _ folds: Set<Fold>) -> String {
            var value = value
            if folds.contains(.trim) {
                while let first = value.unicodeScalars.first, first.properties.isWhitespace {
                    value.unicodeScalars.removeFirst()
                }
                while let last = value.unicodeScalars.last, last.properties.isWhitespace {
                    value.unicodeScalars.removeLast()
                }
            }
            if folds.contains(.lower) { value = value.lowercased() }
            if folds.contains(.integer), let number = Int(value) { value = "\(number)" }
            return value
        }

        static func absentValue(_ folds: Set<Fold>) -> String? {
            for fold in folds { if case .absent(let value) = fold { return value } }
            return nil
        }

        var library: ParameterFolding {
            switch self {
            case .trim: .trimWhitespace
            case .lower: .ignoreCase
            case .integer: .integerForm
            case .absent(let value): .absentAs(value)
            }
        }
    }

    /// Everything a handler can read of a request, as plain values.
    struct View {
        var scheme: String?
        var authority: String?
        var hosts: [String]
        var path: String
        var query: [(name: String, value: String)]
        /// Header fields, names lowercased, in order.
        var headers: [(name: String, value: String)]
    }

    static let identityHeaders = [
        "authorization", "proxy-authorization", "cookie", "x-api-key", "x-auth-token", "x-forwarded-user",
        "x-impersonate",
    ]

    /// Each byte outside `[A-Za-z0-9]` as `%XX`: shows the bytes, so Unicode spellings and empty values stay apart.
    static func bytes(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// The echo of `view` by a handler that depends on what `spec` says: the same function for the handler and the
    /// oracle, fed by Hummingbird's parse in one case and by the generated request in the other.
    static func render(_ view: View, _ spec: EchoSpec) -> String {
        var lines: [String] = []
        lines.append("scheme " + (view.scheme.map(Self.bytes) ?? "nil"))
        if !spec.ignoresHost {
            lines.append("authority " + (view.authority.map(Self.bytes) ?? "nil"))
            lines.append("host " + view.hosts.map { "[\(Self.bytes($0))]" }.joined())
        }
        lines.append("path " + Self.bytes(view.path))
        var query = view.query
        for (name, folds) in spec.queryFolding {
            if let absent = Fold.absentValue(folds), !query.contains(where: { Array($0.name.utf8) == Array(name.utf8) })
            {
                query.append((name: name, value: absent))
            }
        }
        var grouped: [[UInt8]: [String]] = [:]
        for (name, value) in query where !spec.volatile.contains(where: { Array($0.utf8) == Array(name.utf8) }) {
            let folds = spec.queryFolding.first { Array($0.key.utf8) == Array(name.utf8) }?.value ?? []
            grouped[Array(name.utf8), default: []].append(Fold.apply(value, folds))
        }
        for name in grouped.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let text = String(decoding: name, as: UTF8.self)
            lines.append("query " + Self.bytes(text) + " " + grouped[name]!.map { "[\(Self.bytes($0))]" }.joined())
        }
        for header in spec.varyHeaders + Self.identityHeaders {
            var values = view.headers.filter { $0.name == header }.map(\.value)
            if let folds = spec.headerFolding[header] {
                if values.isEmpty, let absent = Fold.absentValue(folds) { values = [absent] }
                values = values.map { Fold.apply($0, folds) }
            }
            lines.append(
                "header \(header) " + (values.isEmpty ? "missing" : values.map { "[\(Self.bytes($0))]" }.joined()))
        }
        return lines.joined(separator: "\n")
    }

    /// The endpoints: exact by default, offsets, declared folding, a host-independent one, and one without pagination.
    static let specs: [String: EchoSpec] = [
        "/exact": EchoSpec(volatile: ["_"], varyHeaders: ["x-tenant", "accept-language"]),
        "/offsets": EchoSpec(varyHeaders: ["x-tenant"]),
        "/folded": EchoSpec(
            volatile: ["_"],
            queryFolding: ["status": [.trim, .lower], "zip": [.integer], "page": [.integer, .absent("1")]],
            varyHeaders: ["accept-language"],
            headerFolding: ["accept-language": [.lower]]
        ),
        "/anyhost": EchoSpec(ignoresHost: true),
        "/plain": EchoSpec(),
    ]

    static func spec(forPath path: String) -> EchoSpec {
        Self.specs[path] ?? Self.specs["/plain"]!
    }

    static func endpoints() -> [CacheEndpoint] {
        func library(_ folds: [String: Set<Fold>]) -> [String: Set<ParameterFolding>] {
            folds.mapValues { Set($0.map(\.library)) }
        }
        let folded = Self.specs["/folded"]!
        return [
            CacheEndpoint(
                name: "exact", path: "/exact", ttl: .seconds(600),
                pagination: PaginationBoundary(
                    highestCachedPage: 3, commonFilters: ["status": ["open", "shipped", "Open"]],
                    volatileParameters: ["_"],
                    unknownParameters: .includeInKey),
                varyHeaders: ["X-Tenant", "Accept-Language"]
            ),
            CacheEndpoint(
                name: "offsets", path: "/offsets", ttl: .seconds(600),
                pagination: PaginationBoundary(
                    pageParameter: .offset("offset", sizeParameter: "limit", defaultSize: 10), highestCachedPage: 3,
                    unknownParameters: .includeInKey),
                varyHeaders: ["X-Tenant"]
            ),
            CacheEndpoint(
                name: "folded", path: "/folded", ttl: .seconds(600),
                pagination: PaginationBoundary(
                    highestCachedPage: 3, commonFilters: ["status": ["open", "shipped"]], volatileParameters: ["_"],
                    unknownParameters: .includeInKey, parameterFolding: library(folded.queryFolding)),
                varyHeaders: ["Accept-Language"], varyHeaderFolding: library(folded.headerFolding)
            ),
            CacheEndpoint(name: "anyhost", path: "/anyhost", ttl: .seconds(600), ignoresHost: true),
            CacheEndpoint(name: "plain", path: "/plain/:id", ttl: .seconds(600)),
        ]
    }

    // MARK: Generation

    /// One generated request: the logical parts, and the URI that encodes them.
    struct Generated {
        var view: View
        var uri: String
        var fields: HTTPFields
    }

    static let paths = [
        "/exact", "/offsets", "/folded", "/anyhost", "/plain/1", "/plain/2", "/plain/%41", "/plain/A",
        "/plain/caf%C3%A9",
    ]
    static let names = [
        "status", "Status", "q", "zip", "page", "_", "tag", "caf\u{E9}", "cafe\u{301}", "st%61tus", "offset", "limit",
    ]
    static let values = [
        "open", "Open", "OPEN", " open", "shipped", "1", "01", "+1", "0", "2", "3", "10", "19", "20", "30",
        "9223372036854775807", "99999999999999999999", "-1", "", "\u{E9}", "e\u{301}", "a b", "a&b", "a=b", "%", "+",
        "\u{65E5}\u{672C}", "x#y", "?",
    ]
    static let offsetValues = [
        "0", "10", "19", "20", "30", "5", "9223372036854775807", "9223372036854775800", "99999999999999999999", "x",
    ]
    static let headerValues = ["AbC", "abc", "", "de", "DE", "en", "en-GB", "a b"]
    static let varyNames = ["X-Tenant", "x-tenant", "X-TENANT", "Accept-Language", "accept-language"]

    /// `value` percent-encoded at random: each scalar that may appear raw in a query value (letters, digits, `-`,
    /// `.`, `+`, anything outside ASCII) is sent raw or encoded, the rest always encoded, hex digits in either case.
    static func encode(_ value: String, using random: inout SeededGenerator) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            let rawAllowed =
                scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-.+".unicodeScalars.contains(scalar)
            if rawAllowed && (scalar.isASCII || scalar.properties.isAlphabetic) && Bool.random(using: &random) {
                out.unicodeScalars.append(scalar)
            } else {
                for byte in String(scalar).utf8 {
                    let hex = String(byte, radix: 16, uppercase: Bool.random(using: &random))
                    out += "%" + (hex.count == 1 ? "0" + hex : hex)
                }
            }
        }
        return out
    }

    static func generate(using random: inout SeededGenerator, previous: [Generated]) -> Generated {
        if let earlier = previous.randomElement(using: &random), Int.random(in: 0..<10, using: &random) < 4 {
            return Self.vary(earlier, using: &random)
        }
        var view = View(
            scheme: "http", authority: "localhost", hosts: [], path: Self.paths.randomElement(using: &random)!,
            query: [], headers: [])
        switch Int.random(in: 0..<10, using: &random) {
        case 0: view.scheme = "https"
        case 1:
            view.authority = ["shop.example", "Shop.Example", "shop.example:8080", "evil.example"].randomElement(
                using: &random)!
        case 2: view.authority = nil
        case 3: view.hosts = [["evil.example", "shop.example", "SHOP.example"].randomElement(using: &random)!]
        default: break
        }
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            var name = Self.names.randomElement(using: &random)!
            var value = Self.values.randomElement(using: &random)!
            if view.path == "/offsets", Int.random(in: 0..<4, using: &random) > 0 {
                name = ["offset", "offset", "limit", "page"].randomElement(using: &random)!
                value = Self.offsetValues.randomElement(using: &random)!
            }
            view.query.append((name: name, value: value))
        }
        for _ in 0..<Int.random(in: 0...2, using: &random) {
            view.headers.append(
                (
                    name: Self.varyNames.randomElement(using: &random)!,
                    value: Self.headerValues.randomElement(using: &random)!
                ))
        }
        if Int.random(in: 0..<8, using: &random) == 0 {
            let header = [
                "Authorization", "Proxy-Authorization", "Cookie", "X-Api-Key", "X-Auth-Token", "X-Forwarded-User",
                "X-Impersonate",
            ]
            .randomElement(using: &random)!
            view.headers.append((name: header, value: ["alice", "bob", ""].randomElement(using: &random)!))
        }
        return Self.encoded(view, using: &random)
    }

    /// Another spelling of an earlier request, or one detail changed.
    static func vary(_ earlier: Generated, using random: inout SeededGenerator) -> Generated {
        var view = earlier.view
        switch Int.random(in: 0..<12, using: &random) {
        case 0, 1, 2:
            break  // the same request, encoded afresh (and regrouped below)
        case 3:
            if !view.query.isEmpty {
                let index = Int.random(in: view.query.indices, using: &random)
                view.query[index].value = (view.path == "/offsets" ? Self.offsetValues : Self.values).randomElement(
                    using: &random)!
            }
        case 4:
            view.headers = view.headers.map { (name: Self.flipCase($0.name, using: &random), value: $0.value) }
            if !view.headers.isEmpty {
                let index = Int.random(in: view.headers.indices, using: &random)
                view.headers[index].value =
                    Bool.random(using: &random)
                    ? Self.flipCase(view.headers[index].value, using: &random)
                    : Self.headerValues.randomElement(using: &random)!
            }
        case 5:
            view.scheme = view.scheme == "http" ? "https" : "http"
        case 6:
            view.authority = ["localhost", "LOCALHOST", "evil.example", nil].randomElement(using: &random)!
        case 7:
            view.hosts = view.hosts.isEmpty ? ["evil.example"] : []
        case 8:
            // The values of one name in the other order.
            if let name = view.query.first?.name {
                let positions = view.query.indices.filter { Array(view.query[$0].name.utf8) == Array(name.utf8) }
                let reversed = positions.map { view.query[$0].value }.reversed()
                for (position, value) in zip(positions, reversed) { view.query[position].value = value }
                if positions.count == 1 {
                    view.query.append((name: name, value: Self.values.randomElement(using: &random)!))
                }
            }
        case 9:
            // A vary header missing, or empty.
            if view.headers.isEmpty {
                view.headers = [(name: ["X-Tenant", "Accept-Language"].randomElement(using: &random)!, value: "")]
            } else {
                view.headers = []
            }
        case 10:
            // One value spelled otherwise: letters in another case, a leading zero or sign, surrounding space.
            if !view.query.isEmpty {
                let index = Int.random(in: view.query.indices, using: &random)
                let value = view.query[index].value
                if Int.random(in: 0..<3, using: &random) == 0 {
                    view.query[index].name = Self.flipCase(view.query[index].name, using: &random)
                } else {
                    view.query[index].value = [
                        Self.flipCase(value, using: &random), "0" + value, "+" + value, " " + value, value + " ",
                    ].randomElement(using: &random)!
                }
            }
        default:
            let header = [
                "Authorization", "Proxy-Authorization", "Cookie", "X-Api-Key", "X-Auth-Token", "X-Forwarded-User",
                "X-Impersonate",
            ]
            .randomElement(using: &random)!
            view.headers.append((name: header, value: ["alice", ""].randomElement(using: &random)!))
        }
        // Regroup: distinct names may move, the values of one name keep their order.
        var remaining = view.query
        var regrouped: [(name: String, value: String)] = []
        while !remaining.isEmpty {
            let pick = Int.random(in: remaining.indices, using: &random)
            let name = remaining[pick].name
            let first = remaining.firstIndex { Array($0.name.utf8) == Array(name.utf8) }!
            regrouped.append(remaining.remove(at: first))
        }
        view.query = regrouped
        return Self.encoded(view, using: &random)
    }

    static func flipCase(_ name: String, using random: inout SeededGenerator) -> String {
        String(name.map { Bool.random(using: &random) ? Character($0.uppercased()) : Character($0.lowercased()) })
    }

    static func encoded(_ view: View, using random: inout SeededGenerator) -> Generated {
        var uri = view.path
        if !view.query.isEmpty {
            uri += "?" + view.query.map { $0.name + "=" + Self.encode($0.value, using: &random) }.joined(separator: "&")
        }
        var fields = HTTPFields()
        if let scheme = view.scheme {
            fields.append(HTTPField(name: RequestTargetMiddleware<BasicRequestContext>.scheme, value: scheme))
        }
        fields.append(
            HTTPField(name: RequestTargetMiddleware<BasicRequestContext>.authority, value: view.authority ?? "-"))
        for host in view.hosts { fields.append(HTTPField(name: HTTPField.Name("Host")!, value: host)) }
        for header in view.headers { fields.append(HTTPField(name: HTTPField.Name(header.name)!, value: header.value)) }
        var normalised = view
        normalised.headers = view.headers.map { (name: $0.name.lowercased(), value: $0.value) }
        return Generated(view: normalised, uri: uri, fields: fields)
    }

    // MARK: The server

    static func application(cache: Cache, serial: LoadCounter) throws -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: RequestTargetMiddleware())
        router.add(
            middleware: try ResponseCacheMiddleware(
                cache: cache,
                boundaries: CacheBoundaries(Self.endpoints()),
                configuration: .init(isPersonalised: { request, _ in
                    request.headers[HTTPField.Name("X-Impersonate")!] != nil
                })
            ))
        let echo: @Sendable (Request, BasicRequestContext) -> String = { request, _ in
            serial.increment()
            let view = View(
                scheme: request.head.scheme,
                authority: request.head.authority,
                hosts: request.headers[values: HTTPField.Name("Host")!],
                path: request.uri.path,
                query: request.uri.queryParameters.map { (name: String($0.key), value: String($0.value)) },
                headers: request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
            )
            return Self.render(view, Self.spec(forPath: request.uri.path)) + "\n#\(serial.count)"
        }
        for path in ["/exact", "/offsets", "/folded", "/anyhost", "/plain/:id"] {
            router.get(RouterPath(path), use: echo)
        }
        return Application(router: router)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func everyResponseIsTheEchoOfItsOwnRequest(seed: UInt64) async throws {
        var random = SeededGenerator(seed: seed)
        let cache = try Cache(namespace: "echo", backend: MemoryBackend(byteBudget: 64 << 20))
        let serial = LoadCounter()
        var requests: [Generated] = []
        for _ in 0..<3_000 {
            requests.append(Self.generate(using: &random, previous: requests))
        }
        let checked = requests
        let (hits, crossSpellingHits, bypasses, mismatches) = try await Self.application(cache: cache, serial: serial)
            .test(.router) { client in
                var hits = 0
                var crossSpellingHits = 0
                var bypasses = 0
                var mismatches = 0
                var producer: [Substring: String] = [:]  // serial -> the URI whose handler run made it
                for request in checked {
                    let response = try await client.execute(uri: request.uri, method: .get, headers: request.fields)
                    let body = String(buffer: response.body)
                    let expected = Self.render(
                        request.view,
                        Self.spec(forPath: request.view.path.hasPrefix("/plain/") ? "/plain" : request.view.path))
                    guard let marker = body.utf8.lastIndex(of: UInt8(ascii: "#")) else {
                        Issue.record("no serial in \(body)")
                        continue
                    }
                    let echoed = body.utf8[..<body.utf8.index(before: marker)]
                    let serialText = body[body.index(after: marker)...]
                    if !echoed.elementsEqual(expected.utf8) {
                        mismatches += 1
                        if mismatches <= 5 {
                            Issue.record(
                                """
                                \(request.uri) \(request.fields) got another request's response (\(response.headers[HTTPField.Name("X-Cache")!] ?? "-"), \
                                made by \(producer[serialText] ?? "?")):
                                \(String(decoding: echoed, as: UTF8.self))
                                expected:
                                \(expected)
                                """)
                        }
                    }
                    switch response.headers[HTTPField.Name("X-Cache")!] {
                    case "HIT":
                        hits += 1
                        if producer[serialText] != request.uri { crossSpellingHits += 1 }
                    case "BYPASS":
                        bypasses += 1
                    default:
                        producer[serialText] = request.uri
                    }
                }
                return (hits, crossSpellingHits, bypasses, mismatches)
            }
        #expect(mismatches == 0)
        // Not vacuous: many responses came from the cache, some to requests spelled differently from the one that
        // stored them (folding, percent-encoding, name order), and many bypassed.
        #expect(
            hits > 300 && crossSpellingHits > 50 && bypasses > 300,
            "hits \(hits), cross-spelling \(crossSpellingHits), bypasses \(bypasses)")
    }
}
