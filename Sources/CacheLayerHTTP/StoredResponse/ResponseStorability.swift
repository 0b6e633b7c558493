import HTTPTypes

/// Whether a response may be stored and replayed to other requests of the same key, judged from its status and
/// headers (the body's size is checked as it is collected).
package struct ResponseStorability: Sendable {
    package let cacheableStatuses: Set<Int>
    /// The request headers the endpoint's key includes (lower case).
    package let varyHeaders: Set<String>

    package init(cacheableStatuses: Set<Int>, varyHeaders: Set<String>) {
        self.cacheableStatuses = cacheableStatuses
        self.varyHeaders = varyHeaders
    }

    /// Why `response` must not be stored, or `nil` when it may be.
    package func refusal(for response: HTTPResponse) -> NotStoredReason? {
        // Never stored, whatever the configuration says: a server error (it would outlive the outage), an
        // informational response (not an answer), and 206 and 304, which answer one request's Range or conditional
        // headers, which no key holds.
        guard self.cacheableStatuses.contains(response.status.code), !Self.neverStored(response.status) else {
            return .status
        }
        for directive in Self.directives(response.headerFields[values: .cacheControl]) {
            switch directive {
            case "no-store", "no-cache": return .noStore
            case "private": return .private
            default: continue
            }
        }
        if response.headerFields[.setCookie] != nil { return .setCookie }
        for name in Self.directives(response.headerFields[values: .vary])
        where name == "*" || !self.varyHeaders.contains(name) {
            return .vary
        }
        return nil
    }

    /// Statuses no configuration stores: see ``refusal(for:)``.
    private static func neverStored(_ status: HTTPResponse.Status) -> Bool {
        status.kind == .serverError || status.kind == .informational || status.code == 206 || status.code == 304
    }

    /// The headers replayed with a stored response: all but hop-by-hop ones and those that describe one delivery.
    package static func storedHeaders(_ headers: HTTPFields) -> HTTPFields {
        var stored = headers
        for name in Self.perDeliveryHeaders {
            stored[name] = nil
        }
        return stored
    }

    private static let perDeliveryHeaders: [HTTPField.Name] = [
        .connection, .transferEncoding, .upgrade, .te, .trailer, .date, .age, .xCache,
        HTTPField.Name("Keep-Alive")!, HTTPField.Name("Proxy-Connection")!,
    ]

    /// The comma-separated tokens of header values, lower-cased, without parameters (`max-age=60` gives
    /// `max-age`; `private="Set-Cookie"` gives `private`).
    package static func directives(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }.map { token in
            let name = token.split(separator: "=", maxSplits: 1).first ?? token[...]
            return String(name.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
                .lowercased()
        }
    }
}
