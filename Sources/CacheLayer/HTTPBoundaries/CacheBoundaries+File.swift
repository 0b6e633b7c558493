import CoreMetrics
import Foundation

extension CacheBoundaries {
    /// Reads boundaries from JSON.
    ///
    /// ```json
    /// {
    ///   "endpoints": [
    ///     {
    ///       "name": "order-items",
    ///       "path": "/admin/order-items",
    ///       "ttl": "60s",
    ///       "jitter": 0.1,
    ///       "pagination": {
    ///         "page_parameter": "page",
    ///         "highest_cached_page": 1,
    ///         "common_filters": { "status": ["open", "shipped"], "sort": ["newest"] },
    ///         "volatile_parameters": ["_", "request_id"]
    ///       },
    ///       "stampede": { "lock": { "lease": "10s", "maximum_wait": "2s", "on_timeout": "load" } },
    ///       "grace": "30s",
    ///       "vary_headers": ["accept-language"],
    ///       "scope": "shared",
    ///       "tags": ["orders", "status:{?status}"]
    ///     }
    ///   ],
    ///   "invalidations": [
    ///     { "name": "order-status", "path": "/admin/orders/:order/status", "methods": ["PUT"], "tags": ["orders"] }
    ///   ]
    /// }
    /// ```
    ///
    /// Durations are numbers of seconds or strings with a unit (`250ms`, `60s`, `5m`, `1h`). Other fields:
    /// `methods` (default `["GET", "HEAD"]`), `early_refresh_beta`, `stampede: "single_flight"` (the default),
    /// `pagination.unknown_parameters` (`bypass` or `include_in_key`), `page_parameter` as
    /// `{"offset": "offset", "size_parameter": "limit", "default_size": 20}` or `{"cursor": "after"}`,
    /// `ignores_host` (default `false`), the stale-if-error and timeout settings of ``LoadPolicy``
    /// (`maximum_stale_age`, `fail_safe_throttle`, `soft_timeout`, `hard_timeout`), and the opt-in foldings ``ParameterFolding``:
    /// `pagination.parameter_folding` and `vary_header_folding`, each a map from a name to a list of
    /// `"trim_whitespace"`, `"ignore_case"`, `"integer_form"` and `{"absent_as": "1"}`. `tags` and the
    /// `invalidations` list (each `name`, `path`, `tags` and optional `methods`) are ``CacheEndpoint/tags`` and
    /// ``CacheInvalidationRule``; a tag template naming a parameter its path lacks is refused with the field named
    /// (`invalidations[0].tags[1]`).
    /// - Throws: ``CacheError/Code/invalidConfiguration`` whose message names the field (`endpoints[0].ttl`) and
    ///   what is wrong with it, including fields it does not know (a misspelt `tll`).
    public init(json: [UInt8], metricsFactory: (any MetricsFactory)? = nil) throws(CacheError) {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: Data(json))
        } catch {
            throw Self.describe(error)
        }
        try self.init(file, metricsFactory: metricsFactory)
    }

    /// Creates boundaries from a decoded ``File`` (from JSON, YAML or any other `Decoder`).
    public init(_ file: File, metricsFactory: (any MetricsFactory)? = nil) throws(CacheError) {
        var endpoints: [CacheEndpoint] = []
        for (index, entry) in file.endpoints.enumerated() {
            do {
                let endpoint = try entry.endpoint()
                try endpoint.validate()
                endpoints.append(endpoint)
            } catch {
                throw CacheError(.invalidConfiguration, "endpoints[\(index)]: \(error.message)")
            }
        }
        var rules: [CacheInvalidationRule] = []
        for (index, entry) in file.invalidations.enumerated() {
            let rule = CacheInvalidationRule(
                name: entry.name, path: entry.path,
                methods: entry.methods.map(Set.init) ?? CacheInvalidationRule.unsafeMethods, tags: entry.tags)
            do {
                _ = try rule.tagTemplates()
            } catch {
                throw CacheError(.invalidConfiguration, "invalidations[\(index)]: \(error.message)")
            }
            rules.append(rule)
        }
        try self.init(endpoints, invalidationRules: rules, metricsFactory: metricsFactory)
    }

    /// Turns a decoding error into a message that names the field.
    public static func describe(_ error: any Error) -> CacheError {
        guard let error = error as? DecodingError else {
            return CacheError(.invalidConfiguration, "the boundaries do not parse: \(error)", underlying: error)
        }
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return text.isEmpty ? "the document" : text
        }
        let message: String
        switch error {
        case .keyNotFound(let key, let context):
            message = "\(path(context.codingPath + [key])): missing"
        case .typeMismatch(let type, let context):
            message = "\(path(context.codingPath)): expected \(Self.describe(type))"
        case .valueNotFound(let type, let context):
            message = "\(path(context.codingPath)): expected \(Self.describe(type)), found null"
        case .dataCorrupted(let context):
            message =
                context.codingPath.isEmpty
                ? "the document is not valid: \(context.underlyingError.map { "\($0)" } ?? context.debugDescription)"
                : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            message = "\(error)"
        }
        return CacheError(.invalidConfiguration, message, underlying: error)
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: "\(type)"
        }
    }
}

extension CacheBoundaries {
    /// The file form of ``CacheBoundaries``: a list of endpoints, and the invalidation rules.
    public struct File: Decodable, Sendable {
        /// The endpoints, in matching order.
        public var endpoints: [Endpoint]
        /// The invalidation rules (none when the field is absent).
        public var invalidations: [Invalidation]

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: FieldName.self)
            try container.rejectUnknownFields(["endpoints", "invalidations"])
            self.endpoints = try container.decode([Endpoint].self, forKey: "endpoints")
            self.invalidations = try container.decodeIfPresent([Invalidation].self, forKey: "invalidations") ?? []
        }

        /// One invalidation rule in a file; see ``CacheInvalidationRule`` for what each field means.
        public struct Invalidation: Decodable, Sendable {
            var name: String
            var path: String
            var methods: [String]?
            var tags: [String]

            public init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: FieldName.self)
                try c.rejectUnknownFields(["name", "path", "methods", "tags"])
                self.name = try c.decode(String.self, forKey: "name")
                self.path = try c.decode(String.self, forKey: "path")
                self.methods = try c.decodeIfPresent([String].self, forKey: "methods")
                self.tags = try c.decode([String].self, forKey: "tags")
            }
        }

        /// One endpoint in a file; see ``CacheEndpoint`` for what each field means.
        public struct Endpoint: Decodable, Sendable {
            var name: String
            var path: String
            var methods: [String]?
            var ttl: FileDuration
            var jitter: Double?
            var pagination: Pagination?
            var stampede: Stampede?
            var grace: FileDuration?
            var earlyRefreshBeta: Double?
            var maximumStaleAge: FileDuration?
            var failSafeThrottle: FileDuration?
            var softTimeout: FileDuration?
            var hardTimeout: FileDuration?
            var varyHeaders: [String]?
            var varyHeaderFolding: [String: FileFolding]?
            var ignoresHost: Bool?
            var scope: CacheEndpoint.Scope?
            var tags: [String]?

            public init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: FieldName.self)
                try c.rejectUnknownFields([
                    "name", "path", "methods", "ttl", "jitter", "pagination", "stampede", "grace", "early_refresh_beta",
                    "maximum_stale_age", "fail_safe_throttle", "soft_timeout", "hard_timeout",
                    "vary_headers", "vary_header_folding", "ignores_host", "scope", "tags",
                ])
                self.name = try c.decode(String.self, forKey: "name")
                self.path = try c.decode(String.self, forKey: "path")
                self.methods = try c.decodeIfPresent([String].self, forKey: "methods")
                self.ttl = try c.decode(FileDuration.self, forKey: "ttl")
                self.jitter = try c.decodeNumberIfPresent(forKey: "jitter")
                self.pagination = try c.decodeIfPresent(Pagination.self, forKey: "pagination")
                self.stampede = try c.decodeIfPresent(Stampede.self, forKey: "stampede")
                self.grace = try c.decodeIfPresent(FileDuration.self, forKey: "grace")
                self.earlyRefreshBeta = try c.decodeNumberIfPresent(forKey: "early_refresh_beta")
                self.maximumStaleAge = try c.decodeIfPresent(FileDuration.self, forKey: "maximum_stale_age")
                self.failSafeThrottle = try c.decodeIfPresent(FileDuration.self, forKey: "fail_safe_throttle")
                self.softTimeout = try c.decodeIfPresent(FileDuration.self, forKey: "soft_timeout")
                self.hardTimeout = try c.decodeIfPresent(FileDuration.self, forKey: "hard_timeout")
                self.varyHeaders = try c.decodeIfPresent([String].self, forKey: "vary_headers")
                self.varyHeaderFolding = try c.decodeIfPresent(
                    [String: FileFolding].self, forKey: "vary_header_folding")
                self.ignoresHost = try c.decodeIfPresent(Bool.self, forKey: "ignores_host")
                self.tags = try c.decodeIfPresent([String].self, forKey: "tags")
                if let scope = try c.decodeIfPresent(String.self, forKey: "scope") {
                    guard let known = CacheEndpoint.Scope(rawValue: scope) else {
                        throw DecodingError.dataCorruptedError(
                            forKey: "scope", in: c,
                            debugDescription: "expected \"shared\" or \"per_user\", got \"\(scope)\"")
                    }
                    self.scope = known
                }
            }

            func endpoint() throws(CacheError) -> CacheEndpoint {
                var jitter: TTLJitter?
                if let fraction = self.jitter {
                    guard fraction >= 0 && fraction < 1 else {
                        throw CacheError(.invalidConfiguration, "jitter: a fraction in 0..<1, got \(fraction)")
                    }
                    jitter = .proportional(fraction)
                }
                try self.checkTimeouts()
                return CacheEndpoint(
                    name: self.name,
                    path: self.path,
                    methods: Set(self.methods ?? ["GET", "HEAD"]),
                    ttl: self.ttl.duration,
                    pagination: try self.pagination?.boundary(),
                    loadPolicy: LoadPolicy(
                        lock: self.stampede?.lock,
                        gracePeriod: self.grace?.duration,
                        earlyRefresh: self.earlyRefreshBeta.map { EarlyRefresh(beta: $0) },
                        ttlJitter: jitter,
                        maximumStaleAge: self.maximumStaleAge?.duration,
                        failSafeThrottle: self.failSafeThrottle?.duration ?? LoadPolicy().failSafeThrottle,
                        softTimeout: self.softTimeout?.duration,
                        hardTimeout: self.hardTimeout?.duration
                    ),
                    varyHeaders: self.varyHeaders ?? [],
                    varyHeaderFolding: self.varyHeaderFolding?.mapValues(\.foldings) ?? [:],
                    ignoresHost: self.ignoresHost ?? false,
                    scope: self.scope ?? .shared,
                    tags: self.tags ?? []
                )
            }

            /// Refuses timeouts that contradict each other or the stale age, naming the file's fields.
            private func checkTimeouts() throws(CacheError) {
                guard let soft = self.softTimeout?.duration else { return }
                guard self.maximumStaleAge != nil else {
                    throw CacheError(
                        .invalidConfiguration,
                        "soft_timeout needs maximum_stale_age: without a stale value to serve, callers wait for the load"
                    )
                }
                if let hard = self.hardTimeout?.duration, soft >= hard {
                    throw CacheError(
                        .invalidConfiguration, "soft_timeout (\(soft)) must be shorter than hard_timeout (\(hard))")
                }
            }
        }

        struct Pagination: Decodable, Sendable {
            var pageParameter: PaginationBoundary.PageParameter
            var highestCachedPage: Int
            var commonFilters: [String: [String]]
            var volatileParameters: [String]
            var unknownParameters: PaginationBoundary.UnknownParameterPolicy
            var parameterFolding: [String: FileFolding]

            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: FieldName.self)
                try c.rejectUnknownFields([
                    "page_parameter", "highest_cached_page", "common_filters", "volatile_parameters",
                    "unknown_parameters",
                    "parameter_folding",
                ])
                if let name = try? c.decode(String.self, forKey: "page_parameter") {
                    self.pageParameter = .page(name)
                } else if c.contains("page_parameter") {
                    let p = try c.nestedContainer(keyedBy: FieldName.self, forKey: "page_parameter")
                    try p.rejectUnknownFields(["page", "offset", "size_parameter", "default_size", "cursor"])
                    if let offset = try p.decodeIfPresent(String.self, forKey: "offset") {
                        self.pageParameter = .offset(
                            offset,
                            sizeParameter: try p.decode(String.self, forKey: "size_parameter"),
                            defaultSize: try p.decodeIntegerIfPresent(forKey: "default_size")
                                ?? p.decode(Int.self, forKey: "default_size")
                        )
                    } else if let cursor = try p.decodeIfPresent(String.self, forKey: "cursor") {
                        self.pageParameter = .cursor(cursor)
                    } else {
                        self.pageParameter = .page(try p.decode(String.self, forKey: "page"))
                    }
                } else {
                    self.pageParameter = .page("page")
                }
                self.highestCachedPage = try c.decodeIntegerIfPresent(forKey: "highest_cached_page") ?? 1
                guard self.highestCachedPage >= 1 else {
                    throw DecodingError.dataCorruptedError(
                        forKey: "highest_cached_page", in: c,
                        debugDescription: "must be at least 1, got \(self.highestCachedPage)")
                }
                self.commonFilters = try c.decodeIfPresent([String: [String]].self, forKey: "common_filters") ?? [:]
                self.volatileParameters = try c.decodeIfPresent([String].self, forKey: "volatile_parameters") ?? []
                self.parameterFolding =
                    try c.decodeIfPresent([String: FileFolding].self, forKey: "parameter_folding") ?? [:]
                switch try c.decodeIfPresent(String.self, forKey: "unknown_parameters") ?? "bypass" {
                case "bypass": self.unknownParameters = .bypass
                case "include_in_key": self.unknownParameters = .includeInKey
                case let other:
                    throw DecodingError.dataCorruptedError(
                        forKey: "unknown_parameters", in: c,
                        debugDescription: "expected \"bypass\" or \"include_in_key\", got \"\(other)\"")
                }
            }

            func boundary() throws(CacheError) -> PaginationBoundary {
                if case .offset(_, _, let size) = self.pageParameter, size < 1 {
                    throw CacheError(
                        .invalidConfiguration, "pagination.page_parameter.default_size: must be at least 1, got \(size)"
                    )
                }
                return PaginationBoundary(
                    pageParameter: self.pageParameter,
                    highestCachedPage: self.highestCachedPage,
                    commonFilters: self.commonFilters.mapValues(Set.init),
                    volatileParameters: Set(self.volatileParameters),
                    unknownParameters: self.unknownParameters,
                    parameterFolding: self.parameterFolding.mapValues(\.foldings)
                )
            }
        }

        struct Stampede: Decodable, Sendable {
            /// The lock across processes; `nil` for `single_flight` (in-process coalescing only).
            var lock: LoadPolicy.Lock?

            init(from decoder: any Decoder) throws {
                if let mode = try? decoder.singleValueContainer().decode(String.self) {
                    guard mode == "single_flight" else {
                        throw DecodingError.dataCorrupted(
                            .init(
                                codingPath: decoder.codingPath,
                                debugDescription: "expected \"single_flight\" or {\"lock\": {...}}, got \"\(mode)\""))
                    }
                    self.lock = nil
                    return
                }
                let c = try decoder.container(keyedBy: FieldName.self)
                try c.rejectUnknownFields(["lock"])
                let l = try c.nestedContainer(keyedBy: FieldName.self, forKey: "lock")
                try l.rejectUnknownFields(["lease", "maximum_wait", "on_timeout"])
                var lock = LoadPolicy.Lock()
                if let lease = try l.decodeIfPresent(FileDuration.self, forKey: "lease") { lock.lease = lease.duration }
                if let wait = try l.decodeIfPresent(FileDuration.self, forKey: "maximum_wait") {
                    lock.maximumWait = wait.duration
                }
                switch try l.decodeIfPresent(String.self, forKey: "on_timeout") ?? "load" {
                case "load": lock.onTimeout = .load
                case "fail": lock.onTimeout = .fail
                case let other:
                    throw DecodingError.dataCorruptedError(
                        forKey: "on_timeout", in: l, debugDescription: "expected \"load\" or \"fail\", got \"\(other)\""
                    )
                }
                self.lock = lock
            }
        }
    }
}

/// A duration in a boundaries file: a number of seconds, or a string with a unit (`ms`, `s`, `m`, `h`).
///
/// At least one millisecond (durations are kept in whole milliseconds) and at most ``Cache/maximumTTL``
/// (`876000h`); anything else, including a value that is not a finite number, is an error naming the field.
struct FileDuration: Decodable, Sendable {
    var duration: Duration

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let seconds = try? container.decode(Double.self) {
            self.duration = try Self.duration(seconds, scale: 1, given: "\(seconds)", in: container)
            return
        }
        let text = try container.decode(String.self).trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (unit, scale) in units where text.hasSuffix(unit) {
            if let number = Double(text.dropLast(unit.count)) {
                self.duration = try Self.duration(number, scale: scale, given: "\"\(text)\"", in: container)
                return
            }
        }
        throw DecodingError.dataCorruptedError(
            in: container,
            debugDescription:
                "expected a positive duration such as \"250ms\", \"60s\", \"5m\" or \"1h\", got \"\(text)\"")
    }

    /// The longest duration a file may give, in milliseconds.
    static let maximumMilliseconds = Double(Cache.maximumTTL.components.seconds) * 1000

    /// `number` units of `scale` seconds, in whole milliseconds, after checking that it is finite and in range.
    private static func duration(
        _ number: Double,
        scale: Double,
        given: String,
        in container: any SingleValueDecodingContainer
    ) throws -> Duration {
        guard number.isFinite, number > 0 else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be positive, got \(given)")
        }
        let milliseconds = (number * scale * 1000).rounded()
        guard milliseconds >= 1 else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "must be at least 1ms, got \(given)")
        }
        guard milliseconds <= Self.maximumMilliseconds else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "must be at most 876000h (100 years, the longest TTL), got \(given)")
        }
        return .milliseconds(Int64(milliseconds))
    }
}

/// Any field name, so that files can be checked for names they should not have.
struct FieldName: CodingKey, ExpressibleByStringLiteral {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    init(stringLiteral value: String) { self.stringValue = value }
}

extension KeyedDecodingContainer where Key == FieldName {
    /// A number field: finite. Foundation's JSON decoder reports a number it cannot hold (`1e999`) without the
    /// field's path; this names the field.
    func decodeNumberIfPresent(forKey key: FieldName) throws -> Double? {
        guard self.contains(key), try !self.decodeNil(forKey: key) else { return nil }
        guard let number = try? self.decode(Double.self, forKey: key) else {
            if (try? self.decode(String.self, forKey: key)) != nil {
                throw DecodingError.typeMismatch(
                    Double.self, .init(codingPath: self.codingPath + [key], debugDescription: "not a number"))
            }
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "expected a finite number")
        }
        guard number.isFinite else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "expected a finite number, got \(number)")
        }
        return number
    }

    /// An integer field: a whole number that fits in `Int`. A fraction (`1.5`) or a number too large (`1e30`) is an
    /// error naming the field (Foundation's JSON decoder reports both without the field's path).
    func decodeIntegerIfPresent(forKey key: FieldName) throws -> Int? {
        guard self.contains(key), try !self.decodeNil(forKey: key) else { return nil }
        if let integer = try? self.decode(Int.self, forKey: key) { return integer }
        if let number = try? self.decode(Double.self, forKey: key) {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "expected a whole number that fits in 64 bits, got \(number)")
        }
        if (try? self.decode(String.self, forKey: key)) != nil {
            throw DecodingError.typeMismatch(
                Int.self, .init(codingPath: self.codingPath + [key], debugDescription: "not a number"))
        }
        throw DecodingError.dataCorruptedError(
            forKey: key, in: self, debugDescription: "expected a whole number that fits in 64 bits")
    }

    /// Throws for the first field not in `known`: a misspelt setting must not be silently ignored.
    func rejectUnknownFields(_ known: Set<String>) throws {
        for key in self.allKeys where !known.contains(key.stringValue) {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: self.codingPath + [key],
                    debugDescription: "unknown field; expected one of \(known.sorted().joined(separator: ", "))"))
        }
    }
}
