import CacheLayerAdvisor

/// An error from the hit-rate tools: bad input (a trace line, a budget, an option), or a Redis server that cannot be
/// reached or may not be used. The message names the problem (and the line, for a trace).
///
/// The ``Code`` is open-ended, as `CacheError`'s is: new codes can be added without breaking callers.
public struct HitRateLabError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of failure happened.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A short, stable name such as `malformed_trace`.
        public let name: String
        private init(_ name: String) { self.name = name }

        /// An option or argument is out of range or cannot be read (a budget of zero, a bad size).
        public static let invalidArgument = Code("invalid_argument")
        /// A trace or request log line cannot be read; the message names the file and line.
        public static let malformedTrace = Code("malformed_trace")
        /// A file cannot be read or written.
        public static let fileAccess = Code("file_access")
        /// The Redis server cannot be reached.
        public static let redisUnavailable = Code("redis_unavailable")
        /// The Redis server holds keys that are not the tool's, and the run was not told to accept that.
        public static let foreignKeys = Code("foreign_keys")
        /// The Redis server answered with an error or an unexpected reply.
        public static let redisError = Code("redis_error")

        /// The lab's code for an advisor error's: the same name, except that a malformed request log is a
        /// malformed trace.
        init(_ code: AdvisorError.Code) {
            self.init(code == .malformedLog ? Self.malformedTrace.name : code.name)
        }

        public var description: String { self.name }
    }

    /// What kind of failure happened.
    public var code: Code
    /// What went wrong, for a person.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { self.message }
}

extension HitRateLabError {
    /// The lab's error for an error of the advisor library (trace reading, byte counts, files and the memory-tier
    /// replay live there): the same message and code.
    public init(_ error: AdvisorError) {
        self.init(Code(error.code), error.message)
    }

    /// Runs `body`, turning an ``CacheLayerAdvisor/AdvisorError`` it throws into the lab's error.
    public static func mapping<Value>(_ body: () throws(AdvisorError) -> Value) throws(HitRateLabError) -> Value {
        do {
            return try body()
        } catch {
            throw HitRateLabError(error)
        }
    }

    /// Runs `body`, turning an ``CacheLayerAdvisor/AdvisorError`` it throws into the lab's error.
    public static func mapping<Value>(
        _ body: () async throws(AdvisorError) -> Value
    ) async throws(HitRateLabError) -> Value {
        do {
            return try await body()
        } catch {
            throw HitRateLabError(error)
        }
    }
}
