/// How cache keys appear in spans (`cache.key`) and logs, since keys can carry personal data.
///
/// The setting covers error messages too: with ``off`` or a transform, any key text in a failed operation's error
/// (the span status, the recorded error, the log line) is replaced, see `KeyCapture.scrub`.
public struct KeyCapture: Sendable {
    private enum Mode: Sendable {
        case full
        case off
        case transformed(@Sendable (String) -> String)
    }

    private let mode: Mode

    /// Keys are recorded as they are, as `namespace:key`.
    public static let full = KeyCapture(mode: .full)
    /// Keys are never recorded.
    public static let off = KeyCapture(mode: .off)

    /// Keys are recorded after `transform`, which receives `namespace:key` and returns what may be recorded,
    /// for example a hash or the key with identifiers masked.
    public static func redacted(_ transform: @escaping @Sendable (String) -> String) -> KeyCapture {
        KeyCapture(mode: .transformed(transform))
    }

    /// Whether keys are recorded as they are (``full``): then nothing needs scrubbing from error messages.
    var recordsKeysAsTheyAre: Bool {
        if case .full = self.mode { return true }
        return false
    }

    /// The text to record for a tag the application declared (`cache.tags`), or `nil` when keys are not recorded:
    /// tags are built from the same request data as keys, so the same setting covers them (a transform receives
    /// the tag's name).
    func capture(tag: String) -> String? {
        switch self.mode {
        case .full: tag
        case .off: nil
        case .transformed(let transform): transform(tag)
        }
    }

    /// The text to record for `key`, or `nil` when keys are not recorded.
    func capture(_ key: CacheKey) -> String? {
        switch self.mode {
        case .full: key.description
        case .off: nil
        case .transformed(let transform): transform(key.description)
        }
    }
}
