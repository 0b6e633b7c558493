import CacheLayer

extension RedisBackend.Configuration {
    /// Reads a configuration from a URL:
    ///
    /// - `redis://[[user]:password@]host[:port][/database][?db=N]`, for example `redis://127.0.0.1:6379/2`,
    ///   `redis://127.0.0.1:6379?db=2` or `redis://cache:s3cret@redis.internal` (port 6379 by default; IPv6 hosts
    ///   in brackets, `[::1]`; the database in the path or the query, the same in both if in both);
    /// - `unix://[[user]:password@]/path/to/redis.sock[?db=N]`, or a bare absolute socket path.
    ///
    /// Numbers are plain decimal digits, checked for range: the port in 1...65535, the database in
    /// 0...``highestDatabase``.
    ///
    /// User and password may be percent-encoded. Settings the URL does not hold (timeouts, key prefix, ...) take
    /// their defaults; change them on the result.
    ///
    /// - Throws: ``CacheLayer/CacheError/Code/invalidConfiguration`` naming the part of the URL that is wrong.
    public init(url: String) throws(CacheError) {
        func bad(_ part: String, _ problem: String) -> CacheError {
            CacheError(.invalidConfiguration, "bad Redis URL '\(Self.redactingPassword(url))': the \(part) \(problem)")
        }
        if url.hasPrefix("/") {
            self.init(endpoint: .unixSocket(path: url))
            self = try self.validated()
            return
        }
        // A URL is printable ASCII (anything else is percent-encoded). Checked first, on bytes, because the parts
        // below are found by `Character`: a combining mark after a ':' or '@' would join it into one character, hide
        // the delimiter and, in an error message, the password from `redactingPassword`. The message shows no URL.
        if let offset = url.utf8.firstIndex(where: { $0 < 0x21 || $0 > 0x7E }).map({
            url.utf8.distance(from: url.utf8.startIndex, to: $0)
        }) {
            throw CacheError(
                .invalidConfiguration,
                "bad Redis URL: byte \(offset) is not printable ASCII (percent-encode the user and password)"
            )
        }
        guard let schemeEnd = url.firstRange(of: "://") else {
            throw bad("scheme", "is missing (expected redis:// or unix://)")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        var rest = Substring(url[schemeEnd.upperBound...])

        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw bad("user info", "must be 'user:password' or ':password'") }
            guard let user = PercentDecoding.decode(parts[0]), let secret = PercentDecoding.decode(parts[1]) else {
                throw bad("user info", "has a bad percent escape")
            }
            username = user.isEmpty ? nil : user
            password = secret
        }

        // What follows the authority: the query (`?db=N`), after the path. A fragment means nothing here.
        guard !rest.contains("#") else { throw bad("fragment", "('#...') is not allowed") }
        let query = rest.firstIndex(of: "?").map { rest[rest.index(after: $0)...] }
        rest = rest.firstIndex(of: "?").map { rest[..<$0] } ?? rest
        var queryDatabase: Int?
        for item in (query ?? "").split(separator: "&") {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2, pair[0] == "db" else {
                throw bad("query", "'\(item)' is not db=N (db is the only query parameter)")
            }
            guard let parsed = Self.decimal(pair[1]), parsed <= Self.highestDatabase else {
                throw bad("database", "'\(pair[1])' in the query is not a number in 0...\(Self.highestDatabase)")
            }
            queryDatabase = parsed
        }

        switch scheme {
        case "redis":
            let (authority, path) =
                rest.firstIndex(of: "/").map { (rest[..<$0], rest[rest.index(after: $0)...]) } ?? (rest, "")
            let host: Substring
            var portText: Substring?
            if authority.hasPrefix("[") {
                guard let close = authority.firstIndex(of: "]") else { throw bad("host", "has an unclosed '['") }
                host = authority[authority.index(after: authority.startIndex)..<close]
                let after = authority[authority.index(after: close)...]
                if !after.isEmpty {
                    guard after.hasPrefix(":") else { throw bad("port", "must follow the host after ':'") }
                    portText = after.dropFirst()
                }
            } else if let colon = authority.lastIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            } else {
                host = authority
            }
            guard !host.isEmpty else { throw bad("host", "is empty") }
            var port = 6379
            if let portText {
                guard let parsed = Self.decimal(portText), (1...65_535).contains(parsed) else {
                    throw bad("port", "'\(portText)' is not a number in 1...65535")
                }
                port = parsed
            }
            var database = queryDatabase ?? 0
            if !path.isEmpty {
                guard let parsed = Self.decimal(path), parsed <= Self.highestDatabase else {
                    throw bad("database", "'\(path)' in the path is not a number in 0...\(Self.highestDatabase)")
                }
                if let queryDatabase, queryDatabase != parsed {
                    throw bad("database", "is \(parsed) in the path and \(queryDatabase) in the query")
                }
                database = parsed
            }
            self.init(
                endpoint: .tcp(host: String(host), port: port), username: username, password: password,
                database: database)
        case "unix", "redis+unix":
            guard rest.hasPrefix("/") else { throw bad("socket path", "must be absolute") }
            self.init(
                endpoint: .unixSocket(path: String(rest)), username: username, password: password,
                database: queryDatabase ?? 0)
        default:
            throw bad(
                "scheme", "'\(scheme)' is not redis:// or unix:// (rediss:// needs TLS, which hiredis 0.14 lacks)")
        }
        self = try self.validated()
    }

    /// A decimal number of ASCII digits only (no sign, no space, no other numerals), or `nil` when the text is
    /// empty, holds anything else or overflows `Int`.
    static func decimal(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        return Int(text)
    }

    /// The URL with any password replaced, for error messages.
    static func redactingPassword(_ url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://"), let at = url.lastIndex(of: "@"), at > schemeEnd.upperBound
        else {
            return url
        }
        let userInfo = url[schemeEnd.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}
