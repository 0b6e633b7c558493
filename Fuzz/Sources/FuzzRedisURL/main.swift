import CacheLayer
import CacheLayerRedis
import FuzzSupport

// Input: one mode byte, then text.
// - Even mode byte: the text is the URL.
// - Odd mode byte: the text is `PASSWORD\nREST`, and the URL is `redis://user:PASSWORD@REST`; when the URL is
//   refused, the error message must not contain the password.
// Invariants besides "no trap": an accepted URL gives a port in 1...65535, a non-negative database, and a host or
// socket path without a NUL (a C string would be cut there and connect somewhere else).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRedisURL(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let input = UnsafeRawBufferPointer(start: start, count: count)
    let text = String(decoding: input.dropFirst(), as: UTF8.self)
    if input[0] & 1 == 0 {
        check(url: text, password: nil)
    } else {
        guard let newline = text.firstIndex(of: "\n") else { return 0 }
        let password = String(text[..<newline])
        // A short password could appear in the message by chance (`host`, say); `@` would end the user info.
        let rest = String(text[text.index(after: newline)...])
        // The password's text may also stand in the rest of the URL (the host, say), which the message may show.
        guard password.utf8.count >= 8, !password.contains("@"), !contains(rest, password) else { return 0 }
        check(url: "redis://user:" + password + "@" + rest, password: password)
    }
    return 0
}

func check(url: String, password: String?) {
    let configuration: RedisBackend.Configuration
    do {
        configuration = try RedisBackend.Configuration(url: url)
    } catch {
        if let password, shows(password, in: "\(error)", url: url) {
            fatalError("the error for a refused URL shows its password: \(error)")
        }
        return
    }
    switch configuration.endpoint {
    case .tcp(let host, let port):
        expect((1...65_535).contains(port), "accepted port \(port)")
        expect(!host.utf8.contains(0), "accepted a host with a NUL byte: \(host.debugDescription)")
    case .unixSocket(let path):
        expect(!path.utf8.contains(0), "accepted a socket path with a NUL byte: \(path.debugDescription)")
    }
    expect(configuration.database >= 0, "accepted database \(configuration.database)")
}

/// Whether `text` holds `part`, byte for byte. (Foundation's `StringProtocol.contains`, which `contains` resolves to
/// once Foundation is loaded, traps with "String index is out of bounds" on some strings with NULs and invalid UTF-8.)
func contains(_ text: String, _ part: String) -> Bool {
    text.utf8.firstRange(of: part.utf8) != nil
}

/// Whether `message`, the text of the error for `url` (`redis://user:PASSWORD@REST`), shows `password`: it contains
/// the password more often than the error for the same URL with the password's bytes replaced by `Z`s does (the
/// message's own words, the scheme or the host may contain the password's text by chance). When that other URL
/// parses differently (it is accepted), any occurrence outside the URL without its password counts.
func shows(_ password: String, in message: String, url: String) -> Bool {
    guard contains(message, password) else { return false }
    let prefix = "redis://user:"
    let rest = String(decoding: Array(url.utf8).dropFirst(prefix.utf8.count + password.utf8.count), as: UTF8.self)
    let masked = prefix + String(repeating: "Z", count: password.utf8.count) + rest
    do {
        _ = try RedisBackend.Configuration(url: masked)
        return !contains(prefix + rest, password)
    } catch {
        return occurrences(of: password, in: message) > occurrences(of: password, in: "\(error)")
    }
}

/// How many times `part` occurs in `text`, by bytes.
func occurrences(of part: String, in text: String) -> Int {
    var count = 0
    var rest = Substring(text).utf8[...]
    while let range = rest.firstRange(of: part.utf8) {
        count += 1
        rest = rest[range.upperBound...]
    }
    return count
}
