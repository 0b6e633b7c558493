import CacheLayer

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        /// Bytes put in front of every key, before `namespace:key`: empty (the default), or ending with `:` and
        /// containing no other `:` (for example `"myapp:"`), so that caches with different prefixes never share a
        /// key. Flushes touch only keys under this prefix and the cache's namespace. Caches that share a database
        /// should all have a prefix, or none: the unprefixed namespace `myapp` shares keys with the prefix `myapp:`.
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
        /// Points where tests observe and hold the connection threads; `nil` outside tests.
        var testHooks: ConnectionTestHooks?

        /// The shortest timeout accepted: hiredis and the socket options count in microseconds.
        public static let shortestTimeout = Duration.microseconds(1)
        /// The longest timeout accepted (24 days): hiredis converts the connect timeout to milliseconds in a C
        /// `int`.
        public static let longestTimeout = Duration.seconds(24 * 24 * 3600)
        /// The highest database number accepted: Redis reads it as a C `int`.
        public static let highestDatabase = Int(Int32.max) - 1

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

        /// Checks the values a URL or code could get wrong, and the strings that reach C functions whole (a NUL
        /// would cut them short there).
        func validated() throws(CacheError) -> Configuration {
            func refuse(_ message: String) -> CacheError { CacheError(.invalidConfiguration, message) }
            switch self.endpoint {
            case .tcp(let host, let port):
                try Self.checkHost(host, field: "host")
                guard (1...65_535).contains(port) else { throw refuse("the port \(port) is not in 1...65535") }
            case .unixSocket(let path):
                guard !path.isEmpty else { throw refuse("the unix socket path is empty") }
                guard !path.utf8.contains(0) else { throw refuse("the unix socket path contains a NUL byte") }
                guard path.utf8.count <= Self.longestSocketPath else {
                    throw refuse(
                        "the unix socket path is \(path.utf8.count) bytes; a socket address holds at most \(Self.longestSocketPath)"
                    )
                }
            }
            try RedisKeyLayout.validate(keyPrefix: self.keyPrefix)
            guard (0...Self.highestDatabase).contains(self.database) else {
                throw refuse("the database \(self.database) is not in 0...\(Self.highestDatabase)")
            }
            try Self.checkTimeout(self.connectTimeout, field: "connectTimeout")
            try Self.checkTimeout(self.commandTimeout, field: "commandTimeout")
            guard (1...64).contains(self.connectionCount) else {
                throw refuse("connectionCount must be in 1...64, got \(self.connectionCount)")
            }
            try Self.checkMaximumValueSize(self.maximumValueSize)
            try Self.checkReconnection(self.reconnection)
            try Self.checkCredentials(username: self.username, password: self.password)
            return self
        }

        /// The settings of the backend's connections (call ``validated()`` first: they are taken as they are).
        var connectionSettings: ConnectionSettings {
            let address: ConnectionSettings.Address =
                switch self.endpoint {
                case .tcp(let host, let port): .tcp(host: host, port: port)
                case .unixSocket(let path): .unixSocket(path: path)
                }
            return ConnectionSettings(
                address: address,
                username: self.username,
                password: self.password,
                database: self.database,
                connectTimeout: self.connectTimeout,
                commandTimeout: self.commandTimeout,
                connectionCount: self.connectionCount,
                reconnection: self.reconnection.connectionSettings,
                testHooks: self.testHooks
            )
        }

        /// The longest unix socket path a socket address holds (with its terminating NUL): 107 bytes on Linux,
        /// 103 on Darwin. hiredis would cut a longer one silently.
        static var longestSocketPath: Int {
            MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1
        }

        /// Refuses a host that C would read differently: empty, longer than a DNS name, or holding a NUL byte
        /// (hiredis would connect to the part before it), a space or a control character.
        static func checkHost(_ host: String, field: String) throws(CacheError) {
            guard !host.isEmpty else { throw CacheError(.invalidConfiguration, "the \(field) is empty") }
            guard host.utf8.count <= 255 else {
                throw CacheError(
                    .invalidConfiguration, "the \(field) is \(host.utf8.count) bytes; a host name has at most 255")
            }
            guard !host.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
                throw CacheError(
                    .invalidConfiguration, "the \(field) contains a NUL byte, a space or a control character")
            }
        }

        /// Refuses a timeout hiredis cannot hold: shorter than a microsecond (it would become zero, which means
        /// no timeout at all) or longer than ``longestTimeout``.
        static func checkTimeout(_ timeout: Duration, field: String) throws(CacheError) {
            guard timeout >= Self.shortestTimeout, timeout <= Self.longestTimeout else {
                throw CacheError(.invalidConfiguration, "\(field) must be between 1 µs and 24 days, got \(timeout)")
            }
        }

        /// Refuses a maximum value size that is not positive.
        static func checkMaximumValueSize(_ size: Int) throws(CacheError) {
            guard size > 0 else { throw CacheError(.invalidConfiguration, "maximumValueSize must be positive") }
        }

        /// Refuses a username without a password, and one that is empty or holds a space, a control character or
        /// a NUL byte. The password is sent as a length-counted argument (binary-safe): any bytes are passed on
        /// whole.
        static func checkCredentials(username: String?, password: String?) throws(CacheError) {
            guard let username else { return }
            guard password != nil else { throw CacheError(.invalidConfiguration, "a username needs a password") }
            guard !username.isEmpty, !username.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
                throw CacheError(
                    .invalidConfiguration,
                    "the username is empty or contains a space, a control character or a NUL byte")
            }
        }

        /// Refuses backoff and breaker settings that make no sense (negative, or a maximum below the first wait).
        static func checkReconnection(_ reconnection: Reconnection) throws(CacheError) {
            func refuse(_ message: String) -> CacheError { CacheError(.invalidConfiguration, message) }
            guard reconnection.failureThreshold > 0 else {
                throw refuse("reconnection.failureThreshold must be positive")
            }
            guard reconnection.initialBackoff >= .zero else {
                throw refuse("reconnection.initialBackoff must not be negative")
            }
            guard reconnection.maximumBackoff >= reconnection.initialBackoff else {
                throw refuse("reconnection.maximumBackoff must not be shorter than reconnection.initialBackoff")
            }
            guard reconnection.coolDown >= .zero else { throw refuse("reconnection.coolDown must not be negative") }
        }
    }
}

extension RedisBackend.Configuration.Reconnection {
    /// The same settings, as the connections take them.
    var connectionSettings: ConnectionSettings.Reconnection {
        ConnectionSettings.Reconnection(
            initialBackoff: self.initialBackoff,
            maximumBackoff: self.maximumBackoff,
            failureThreshold: self.failureThreshold,
            coolDown: self.coolDown
        )
    }
}
