/// An error from the boundary advisor: bad input (a request-log line, a budget, an option) or a file that cannot
/// be read or written. The message names the problem, and the file and line for a request log.
///
/// The ``Code`` is open-ended, as `CacheError`'s is: new codes can be added without breaking callers.
public struct AdvisorError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of failure happened.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A short, stable name such as `malformed_log`.
        public let name: String
        private init(_ name: String) { self.name = name }

        /// An option or argument is out of range or cannot be read (a budget of zero, a bad size).
        public static let invalidArgument = Code("invalid_argument")
        /// A request-log line cannot be read; the message names the file and line.
        public static let malformedLog = Code("malformed_log")
        /// A file cannot be read or written.
        public static let fileAccess = Code("file_access")

        /// The code's ``name``.
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

    /// The ``message``.
    public var description: String { self.message }
}
