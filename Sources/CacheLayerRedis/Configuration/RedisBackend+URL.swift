import CacheLayer

extension RedisBackend.Configuration {
    /// Reads a configuration from a URL:
    ///
    /// - `redis://[[user]:password@]host[:port][/database]`, for example `redis://127.0.0.1:6379/2` or
    ///   `redis://cache:s3cret@redis.internal` (port 6379 by default; IPv6 hosts in brackets, `[::1]`);
    /// - `unix://[[user]:password@]/path/to/redis.sock[?db=N]`, or a bare absolute socket path.
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
            guard let user = Self.percentDecoded(parts[0]), let secret = Self.percentDecoded(parts[1]) else {
                throw bad("user info", "has a bad percent escape")
            }
            username = user.isEmpty ? nil : user
            password = secret
        }

        switch scheme {
        case "redis":
            let (authority, path) = rest.firstIndex(of: "/").map { (rest[..<$0], rest[rest.index(after: $0)...]) } ?? (rest, "")
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
                guard let parsed = Int(portText), (1...65_535).contains(parsed) else {
                    throw bad("port", "'\(portText)' is not a number in 1...65535")
                }
                port = parsed
            }
            var database = 0
            if !path.isEmpty {
                guard let parsed = Int(path), parsed >= 0 else {
                    throw bad("database", "'\(path)' is not a non-negative number")
                }
                database = parsed
            }
            self.init(endpoint: .tcp(host: String(host), port: port), username: username, password: password, database: database)
        case "unix", "redis+unix":
            let (path, query) = rest.firstIndex(of: "?").map { (rest[..<$0], rest[rest.index(after: $0)...]) } ?? (rest, "")
            guard path.hasPrefix("/") else { throw bad("socket path", "must be absolute") }
            var database = 0
            for item in query.split(separator: "&") {
                let pair = item.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, pair[0] == "db" else { throw bad("query", "'\(item)' is not db=N") }
                guard let parsed = Int(pair[1]), parsed >= 0 else {
                    throw bad("database", "'\(pair[1])' is not a non-negative number")
                }
                database = parsed
            }
            self.init(endpoint: .unixSocket(path: String(path)), username: username, password: password, database: database)
        default:
            throw bad("scheme", "'\(scheme)' is not redis:// or unix:// (rediss:// needs TLS, which hiredis 0.14 lacks)")
        }
        self = try self.validated()
    }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The URL with any password replaced, for error messages.
    static func redactingPassword(_ url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://"), let at = url.lastIndex(of: "@"), at > schemeEnd.upperBound else {
            return url
        }
        let userInfo = url[schemeEnd.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}
