/// An error thrown by a cache or one of its backends.
///
/// Errors carry an open-ended ``Code`` (new codes can be added without breaking callers who switch over the
/// codes they know), a message a person can read, and the underlying error where there is one.
public struct CacheError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure happened.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidKey = "invalid_key"
            case invalidNamespace = "invalid_namespace"
            case invalidTTL = "invalid_ttl"
            case invalidConfiguration = "invalid_configuration"
            case valueTooLarge = "value_too_large"
            case encodeFailure = "encode_failure"
            case decodeFailure = "decode_failure"
            case backendUnavailable = "backend_unavailable"
            case timeout = "timeout"
            case backendError = "backend_error"
            case lockTimeout = "lock_timeout"
            case invalidTag = "invalid_tag"
            case unsupportedOperation = "unsupported_operation"
            case loaderTimeout = "loader_timeout"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The key is empty or longer than the cache allows.
        public static let invalidKey = Code(.invalidKey)
        /// The namespace is empty, too long, or contains a reserved character.
        public static let invalidNamespace = Code(.invalidNamespace)
        /// The time-to-live is zero or negative.
        public static let invalidTTL = Code(.invalidTTL)
        /// A configuration value is out of range.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The value is larger than the backend accepts; nothing was stored and nothing was evicted for it.
        public static let valueTooLarge = Code(.valueTooLarge)
        /// The codec could not encode the value.
        public static let encodeFailure = Code(.encodeFailure)
        /// The stored bytes could not be decoded as the requested type.
        public static let decodeFailure = Code(.decodeFailure)
        /// The backend could not be reached (connection refused, closed, circuit open).
        public static let backendUnavailable = Code(.backendUnavailable)
        /// The backend did not answer within the configured time.
        public static let timeout = Code(.timeout)
        /// The backend answered with an error.
        public static let backendError = Code(.backendError)

        /// A read-through caller waited its lock policy's `maximumWait` for another process's load and the
        /// policy says to fail rather than load itself.
        public static let lockTimeout = Code(.lockTimeout)

        /// A tag is empty or longer than ``CacheTag/maximumLength`` bytes.
        public static let invalidTag = Code(.invalidTag)

        /// The backend does not offer the operation (tags, on a backend that has no tag index).
        public static let unsupportedOperation = Code(.unsupportedOperation)
        /// A read-through's loader ran past its policy's hard timeout (``LoadPolicy/hardTimeout``) and no stale value
        /// was there to serve instead.
        public static let loaderTimeout = Code(.loaderTimeout)

        /// A short, stable, low-cardinality name such as `value_too_large`, used as the `error.type` span attribute.
        public var name: String { self.base.rawValue }

        public var description: String { self.base.rawValue }
    }

    /// What kind of failure happened.
    public var code: Code
    /// A human-readable explanation naming the input or component at fault.
    public var message: String
    /// The error that caused this one, if any.
    public var underlying: (any Error)?
    /// For an error reply from a server, its status code (Redis: the error prefix such as `WRONGTYPE` or
    /// `NOAUTH`), recorded as the `db.response.status_code` span attribute.
    public var responseStatusCode: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil, responseStatusCode: String? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.responseStatusCode = responseStatusCode
    }

    /// Whether the error means the backend failed (unavailable, timed out or answered with an error), as opposed
    /// to the caller passing something the cache refuses. Fail-open caches swallow backend failures only.
    public var isBackendFailure: Bool {
        self.code == .backendUnavailable || self.code == .timeout || self.code == .backendError
    }

    public var description: String {
        if let underlying {
            return "CacheError(\(self.code)): \(self.message) (\(underlying))"
        }
        return "CacheError(\(self.code)): \(self.message)"
    }
}
