import CacheLayer

extension RedisBackend {
    /// Where the server is, how to log in, and how the backend behaves under load and failure.
    ///
    /// Make one in code, or from a URL with ``init(url:)``.
    public struct Configuration: Sendable {
        /// Where the server listens.
        public enum Endpoint: Sendable, Hashable {
            /// A TCP host name or address and port.
            case tcp(host: String, port: Int)
            /// A unix domain socket path.
            case unixSocket(path: String)
        }

        /// Backoff between reconnection attempts, and the circuit breaker that stops them for a while.
        public struct Reconnection: Sendable {
            /// The first wait after a failed connection; it doubles up to ``maximumBackoff`` (with jitter).
            public var initialBackoff: Duration
            /// The longest wait between two attempts.
            public var maximumBackoff: Duration
            /// After this many consecutive connection failures the breaker opens: calls fail at once, without
            /// touching the network, for ``coolDown``; then a single probe connection decides.
            public var failureThreshold: Int
            /// How long the open breaker fails calls fast before probing.
            public var coolDown: Duration

            /// Creates reconnection settings.
            public init(
                initialBackoff: Duration = .milliseconds(10),
                maximumBackoff: Duration = .milliseconds(500),
                failureThreshold: Int = 5,
                coolDown: Duration = .milliseconds(500)
            ) {
                self.initialBackoff = initialBackoff
                self.maximumBackoff = maximumBackoff
                self.failureThreshold = failureThreshold
                self.coolDown = coolDown
            }
        }

        /// Where the server listens.
        public var endpoint: Endpoint
        /// The ACL user for `AUTH user password`; `nil` sends `AUTH password` (the `default` user).
        public var username: String?
        /// The password; `nil` sends no `AUTH`.
        public var password: String?
        /// The database to `SELECT` (0 by default).
        public var database: Int
        /// Bytes put in front of every key, before `namespace:key` (for example `"myapp:"`). Flushes touch only
        /// keys under this prefix and the cache's namespace.
        public var keyPrefix: String
        /// How long a connection attempt (including `AUTH` and `SELECT`) may take.
        public var connectTimeout: Duration
        /// How long the backend waits for a reply before it gives the connection up and fails its requests with
        /// ``CacheLayer/CacheError/Code/timeout``.
        public var commandTimeout: Duration
        /// How many connections (each with its own I/O thread) concurrent callers share.
        public var connectionCount: Int
        /// The largest value accepted, in bytes; larger ones are refused with
        /// ``CacheLayer/CacheError/Code/valueTooLarge`` before anything is sent.
        public var maximumValueSize: Int
        /// Backoff and circuit-breaker settings.
        public var reconnection: Reconnection

        /// Creates a configuration.
        public init(
            endpoint: Endpoint = .tcp(host: "127.0.0.1", port: 6379),
            username: String? = nil,
            password: String? = nil,
            database: Int = 0,
            keyPrefix: String = "",
            connectTimeout: Duration = .milliseconds(250),
            commandTimeout: Duration = .milliseconds(250),
            connectionCount: Int = 2,
            maximumValueSize: Int = 16 << 20,
            reconnection: Reconnection = .init()
        ) {
            self.endpoint = endpoint
            self.username = username
            self.password = password
            self.database = database
            self.keyPrefix = keyPrefix
            self.connectTimeout = connectTimeout
            self.commandTimeout = commandTimeout
            self.connectionCount = connectionCount
            self.maximumValueSize = maximumValueSize
            self.reconnection = reconnection
        }

        /// Checks the values a URL or code could get wrong.
        func validated() throws(CacheError) -> Configuration {
            func refuse(_ message: String) -> CacheError { CacheError(.invalidConfiguration, message) }
            if case .tcp(let host, let port) = self.endpoint {
                guard !host.isEmpty else { throw refuse("the host is empty") }
                guard (1...65_535).contains(port) else { throw refuse("the port \(port) is not in 1...65535") }
            }
            if case .unixSocket(let path) = self.endpoint, path.isEmpty {
                throw refuse("the unix socket path is empty")
            }
            guard self.database >= 0 else { throw refuse("the database \(self.database) is negative") }
            guard self.connectTimeout > .zero else { throw refuse("connectTimeout must be positive") }
            guard self.commandTimeout > .zero else { throw refuse("commandTimeout must be positive") }
            guard (1...64).contains(self.connectionCount) else {
                throw refuse("connectionCount must be in 1...64, got \(self.connectionCount)")
            }
            guard self.maximumValueSize > 0 else { throw refuse("maximumValueSize must be positive") }
            guard self.reconnection.failureThreshold > 0 else { throw refuse("failureThreshold must be positive") }
            if self.username != nil && self.password == nil {
                throw refuse("a username needs a password")
            }
            return self
        }
    }
}
