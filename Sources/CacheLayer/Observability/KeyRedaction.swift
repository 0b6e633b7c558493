/// Takes key text out of what telemetry records about a failure, so that the key-capture setting holds for error
/// messages too.
///
/// The cache's own errors never name a key. Errors from elsewhere may: a backend's message (a Redis error reply, a
/// third-party backend), an underlying error, a loader's error ("no row for user:alice"). Rather than trust each of
/// them, the observer scrubs every text it records about a failed operation (the span's status message, the recorded
/// error, the log line and its `error.message`): each occurrence of one of the operation's keys, in its flat form
/// `namespace:key` or bare, becomes what the capture setting records for that key (the transform's output, or
/// `<key>` when keys are off). With ``KeyCapture/full`` nothing is scrubbed and the error is recorded as it is.
///
/// The match is on exact UTF-8 bytes, so a very short key also replaces the same letters inside other words: the
/// message gets harder to read, and the key still never appears.
extension KeyCapture {
    /// What stands in for a key in a scrubbed text when keys are off.
    static let placeholder = "<key>"

    /// `text` with every occurrence of the keys of `keys` replaced by their captured form.
    func scrub(_ text: String, keys: OperationObserver.Keys) -> String {
        if self.recordsKeysAsTheyAre { return text }
        let keyList: [CacheKey]
        switch keys {
        case .none: return text
        case .one(let key): keyList = [key]
        case .many(let keys): keyList = keys
        }
        var replacements: [(needle: [UInt8], replacement: [UInt8])] = []
        for key in keyList {
            let replacement = Array((self.capture(key) ?? Self.placeholder).utf8)
            replacements.append((Array(key.description.utf8), replacement))
            replacements.append((Array(key.key.utf8), replacement))
        }
        // Longest first, so the flat form goes whole rather than leaving its namespace behind.
        replacements.sort { $0.needle.count > $1.needle.count }
        return String(decoding: Self.replacing(replacements, in: Array(text.utf8)), as: UTF8.self)
    }

    /// `error` as telemetry may record it: its message, and its underlying error's description, scrubbed.
    func scrub(_ error: CacheError, keys: OperationObserver.Keys) -> CacheError {
        if self.recordsKeysAsTheyAre { return error }
        var scrubbed = error
        scrubbed.message = self.scrub(error.message, keys: keys)
        if let underlying = error.underlying {
            scrubbed.underlying = ScrubbedError(description: self.scrub("\(underlying)", keys: keys))
        }
        return scrubbed
    }

    /// One pass over `bytes`, replacing at each position the first needle that matches there.
    private static func replacing(
        _ replacements: [(needle: [UInt8], replacement: [UInt8])], in bytes: [UInt8]
    ) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        scanning: while index < bytes.count {
            for (needle, replacement) in replacements where !needle.isEmpty && index + needle.count <= bytes.count {
                if bytes[index..<index + needle.count].elementsEqual(needle) {
                    result.append(contentsOf: replacement)
                    index += needle.count
                    continue scanning
                }
            }
            result.append(bytes[index])
            index += 1
        }
        return result
    }
}

/// What a recorded error carries in place of an underlying error whose description was scrubbed of keys.
struct ScrubbedError: Error, CustomStringConvertible {
    let description: String
}

extension Cache {
    /// `error`'s description as this cache's telemetry may record it: each occurrence of `key` (in this cache's
    /// namespace, flat or bare) replaced as ``Configuration/keyCapture`` says. For log lines that an integration
    /// writes itself about an error of an operation on `key` (the cache scrubs what it records).
    package func describeForTelemetry(_ error: any Error, key: String) -> String {
        self.configuration.keyCapture.scrub(
            "\(error)", keys: .one(CacheKey(namespace: self.namespace, key: key)))
    }
}
