import CacheLayer

/// Reads a log of requests to paginated endpoints, one a line: `url[,size]`, where url is `path?query` (as logged
/// by a web server) or a recorded `cache.key` (`namespace:path?query`, as the cache's spans and logs capture it),
/// and size is the response's bytes (the default size when absent). Percent-encoded names and values are decoded.
/// A first line `url,size` (any first line whose size field is not a number) is a header; blank lines and lines
/// starting with `#` are skipped.
///
/// ``text(_:)`` writes a log in this format, so traffic recorded or generated elsewhere can be advised on later.
public enum RequestLog {
    /// Reads and parses the file at `path`.
    /// - Parameter defaultSize: the response size, in bytes, of lines without one.
    /// - Throws: ``AdvisorError/Code/fileAccess`` when the file cannot be read, ``AdvisorError/Code/malformedLog``
    ///   naming the line otherwise.
    public static func read(path: String, defaultSize: Int) throws(AdvisorError) -> [EndpointRequest] {
        try Self.parse(try TextFile.read(path: path, what: "the request log"), name: path, defaultSize: defaultSize)
    }

    /// Parses log text; `name` is used in error messages.
    /// - Parameter defaultSize: the response size, in bytes, of lines without one.
    /// - Throws: ``AdvisorError/Code/malformedLog`` naming the line, or when the text holds no request.
    public static func parse(_ text: String, name: String, defaultSize: Int) throws(AdvisorError) -> [EndpointRequest] {
        var requests: [EndpointRequest] = []
        var lineNumber = 0
        var sawContent = false
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let isFirst = !sawContent
            sawContent = true
            func malformed(_ problem: String) -> AdvisorError {
                AdvisorError(.malformedLog, "\(name) line \(lineNumber): \(problem) (expected path?query[,size])")
            }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count <= 2 else { throw malformed("\(fields.count) fields in '\(line.prefix(80))'") }
            var size = defaultSize
            if fields.count == 2 {
                let sizeField = fields[1].trimmingWhitespace()
                guard let parsed = Int(sizeField), parsed >= 0 else {
                    if isFirst { continue }  // a header
                    throw malformed("the size '\(sizeField)' is not a whole number of bytes")
                }
                size = parsed
            }
            var target = fields[0].trimmingWhitespace()
            // A recorded cache key: drop the namespace in front of the path.
            if !target.hasPrefix("/"), let slash = target.firstIndex(of: "/"), target[..<slash].hasSuffix(":") {
                target = target[slash...]
            }
            guard target.hasPrefix("/") else {
                if isFirst && fields.count == 1 { continue }  // a header without a size column
                throw malformed("'\(target.prefix(80))' is not a path (it should start with /)")
            }
            let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            var query: [EndpointRequest.Parameter] = []
            if parts.count == 2 {
                for pair in parts[1].split(separator: "&") {
                    let nameValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    guard let decodedName = Self.percentDecoded(nameValue[0]),
                        let decodedValue = Self.percentDecoded(nameValue.count == 2 ? nameValue[1] : "")
                    else {
                        throw malformed("bad percent-encoding in '\(pair.prefix(80))'")
                    }
                    query.append(.init(decodedName, decodedValue))
                }
            }
            guard let path = Self.percentDecoded(parts[0]) else { throw malformed("bad percent-encoding in the path") }
            requests.append(EndpointRequest(path: path, query: query, responseSize: size))
        }
        guard !requests.isEmpty else { throw AdvisorError(.malformedLog, "\(name) holds no requests") }
        return requests
    }

    /// The log text of `requests`: a `url,size` header, then one `path?query,size` line each, with every character
    /// of names, values and the path other than letters, digits, `-._~` (and `/` in the path) percent-encoded, so
    /// ``parse(_:name:defaultSize:)`` reads back the same requests. Paths should start with `/`.
    public static func text(_ requests: some Sequence<EndpointRequest>) -> String {
        var text = "url,size\n"
        for request in requests {
            text += Self.line(request)
            text += "\n"
        }
        return text
    }

    /// One line of the log (without its line break): `path?query,size`.
    public static func line(_ request: EndpointRequest) -> String {
        var line = Self.percentEncoded(request.path, keepingSlashes: true)
        if !request.query.isEmpty {
            line +=
                "?"
                + request.query.map {
                    Self.percentEncoded($0.name, keepingSlashes: false) + "="
                        + Self.percentEncoded($0.value, keepingSlashes: false)
                }.joined(separator: "&")
        }
        return line + "," + String(request.responseSize)
    }

    /// `text` with every byte but ASCII letters, digits and `-._~` (and `/` when `keepingSlashes`) as `%XX`.
    static func percentEncoded(_ text: String, keepingSlashes: Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                bytes.append(byte)
            case UInt8(ascii: "/") where keepingSlashes:
                bytes.append(byte)
            default:
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Decodes `%XX` escapes and `+` (a space in query strings); `nil` for a broken escape or bytes that are not
    /// UTF-8.
    static func percentDecoded(_ text: Substring) -> String? {
        PercentDecoding.decode(text, plusIsSpace: true)
    }
}
