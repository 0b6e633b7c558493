import CacheLayer
import CoreMetrics

extension RedisClusterBackend {
    /// Where to find the cluster, how to log in, and how the backend behaves under load, failure and topology
    /// changes.
    ///
    /// Make one in code from seed nodes, or from URLs with ``init(urls:)`` / ``init(urlList:)``. Any one seed that
    /// answers is enough: the rest of the cluster is discovered with `CLUSTER SLOTS`.
    public struct Configuration: Sendable {
        /// A node to ask for the cluster's topology.
        public struct SeedNode: Sendable, Hashable, CustomStringConvertible {
            /// A host name or address.
            public var host: String
            /// The node's client port.
            public var port: Int

            /// Creates a seed node.
            public init(host: String, port: Int) {
                self.host = host
                self.port = port
            }

            public var description: String { "\(self.host):\(self.port)" }
        }

        /// Nodes to ask for the topology at start and whenever none of the known masters answers.
        public var seeds: [SeedNode]
        /// The ACL user for `AUTH user password`; `nil` sends `AUTH password` (the `default` user).
        public var username: String?
        /// The password; `nil` sends no `AUTH`.
        public var password: String?
        /// Bytes put in front of every key, before `namespace:key`: empty, or ending with `:` and containing no
        /// other `:`, as for ``RedisBackend/Configuration/keyPrefix``. It may not contain `{` or `}`: Redis hashes
        /// the first `{...}` of a key, and one in the prefix would put every key of every cache in one slot.
        public var keyPrefix: String
        /// How long a connection attempt (including `AUTH`) may take.
        public var connectTimeout: Duration
        /// How long the backend waits for a reply before it gives the connection up and fails its requests with
        /// ``CacheLayer/CacheError/Code/timeout``.
        public var commandTimeout: Duration
        /// How many connections (each with its own I/O thread) the backend keeps to each master.
        public var connectionsPerNode: Int
        /// The largest value accepted, in bytes; larger ones are refused with
        /// ``CacheLayer/CacheError/Code/valueTooLarge`` before anything is sent.
        public var maximumValueSize: Int
        /// Backoff and circuit-breaker settings, applied to each node's connections separately.
        public var reconnection: RedisBackend.Configuration.Reconnection
        /// How many `MOVED`/`ASK` redirections (and `TRYAGAIN` retries) one command may follow before it fails with
        /// ``CacheLayer/CacheError/Code/backendError``.
        public var maximumRedirections: Int
        /// The shortest time between two topology refreshes. Refreshes follow `MOVED` replies and connection
        /// failures; this bounds how often a failing cluster is asked.
        public var minimumRefreshInterval: Duration
        /// When `true`, the backend counts each command per node in `cache.redis.node.requests` with the
        /// dimensions `node` (`host:port` of a master: as many values as the cluster has masters) and `result`
        /// (`ok`, `redirected`, `error`). Off by default.
        public var nodeMetrics: Bool
        /// Where node metrics go; `nil` uses the global `MetricsSystem.factory` as it is when the backend is made.
        public var metricsFactory: (any MetricsFactory)?
        /// Points where tests observe and hold every node's connection threads; `nil` outside tests.
        var testHooks: ConnectionTestHooks?

        /// Creates a configuration.
        public init(
            seeds: [SeedNode],
            username: String? = nil,
            password: String? = nil,
            keyPrefix: String = "",
            connectTimeout: Duration = .milliseconds(250),
            commandTimeout: Duration = .milliseconds(250),
            connectionsPerNode: Int = 2,
            maximumValueSize: Int = 16 << 20,
            reconnection: RedisBackend.Configuration.Reconnection = .init(),
            maximumRedirections: Int = 5,
            minimumRefreshInterval: Duration = .milliseconds(100),
            nodeMetrics: Bool = false,
            metricsFactory: (any MetricsFactory)? = nil
        ) {
            self.seeds = seeds
            self.username = username
            self.password = password
            self.keyPrefix = keyPrefix
            self.connectTimeout = connectTimeout
            self.commandTimeout = commandTimeout
            self.connectionsPerNode = connectionsPerNode
            self.maximumValueSize = maximumValueSize
            self.reconnection = reconnection
            self.maximumRedirections = maximumRedirections
            self.minimumRefreshInterval = minimumRefreshInterval
            self.nodeMetrics = nodeMetrics
            self.metricsFactory = metricsFactory
        }

        /// Reads seed nodes from `redis://[[user]:password@]host[:port]` URLs (the single-node syntax, see
        /// ``RedisBackend/Configuration/init(url:)``). Every URL must name database 0 (a cluster has no other) and
        /// the same credentials.
        ///
        /// - Throws: ``CacheLayer/CacheError/Code/invalidConfiguration`` naming the URL and the part that is wrong.
        public init(urls: [String]) throws(CacheError) {
            guard !urls.isEmpty else { throw CacheError(.invalidConfiguration, "the cluster URL list is empty") }
            var seeds: [SeedNode] = []
            var credentials: (username: String?, password: String?)?
            for url in urls {
                let node = try RedisBackend.Configuration(url: url)
                let redacted = RedisBackend.Configuration.redactingPassword(url)
                guard case .tcp(let host, let port) = node.endpoint else {
                    throw CacheError(
                        .invalidConfiguration,
                        "bad cluster URL '\(redacted)': a cluster node needs redis://host:port, not a unix socket")
                }
                guard node.database == 0 else {
                    throw CacheError(
                        .invalidConfiguration,
                        "bad cluster URL '\(redacted)': the database is \(node.database), and a cluster has only database 0"
                    )
                }
                if let credentials, credentials.username != node.username || credentials.password != node.password {
                    throw CacheError(
                        .invalidConfiguration,
                        "bad cluster URL '\(redacted)': its user or password differs from the first URL's")
                }
                credentials = (node.username, node.password)
                seeds.append(SeedNode(host: host, port: port))
            }
            self.init(seeds: seeds, username: credentials?.username, password: credentials?.password)
            self = try self.validated()
        }

        /// Reads seed nodes from one string of URLs separated by commas or white space, for example the value of
        /// an environment variable: `redis://10.0.0.1:7000,redis://10.0.0.2:7000`.
        public init(urlList: String) throws(CacheError) {
            let urls = urlList.split { $0 == "," || $0.isWhitespace }.map(String.init)
            try self.init(urls: urls)
        }

        /// Checks the values code could get wrong.
        func validated() throws(CacheError) -> Configuration {
            func refuse(_ message: String) -> CacheError { CacheError(.invalidConfiguration, message) }
            guard !self.seeds.isEmpty else { throw refuse("the cluster needs at least one seed node") }
            for (index, seed) in self.seeds.enumerated() {
                try RedisBackend.Configuration.checkHost(seed.host, field: "host of seed node \(index)")
                guard (1...65_535).contains(seed.port) else {
                    throw refuse("the seed node \(seed) has a port not in 1...65535")
                }
            }
            try RedisKeyLayout.validate(keyPrefix: self.keyPrefix)
            guard !self.keyPrefix.contains("{") && !self.keyPrefix.contains("}") else {
                throw refuse(
                    "the key prefix '\(self.keyPrefix)' contains '{' or '}': it would become every key's hash tag and put all keys in one slot"
                )
            }
            guard (1...64).contains(self.connectionsPerNode) else {
                throw refuse("connectionsPerNode must be in 1...64, got \(self.connectionsPerNode)")
            }
            guard (0...100).contains(self.maximumRedirections) else {
                throw refuse("maximumRedirections must be in 0...100, got \(self.maximumRedirections)")
            }
            guard self.minimumRefreshInterval >= .zero else {
                throw refuse("minimumRefreshInterval must not be negative")
            }
            // The settings every node's connections share, checked as the single-node backend checks its own.
            try RedisBackend.Configuration.checkTimeout(self.connectTimeout, field: "connectTimeout")
            try RedisBackend.Configuration.checkTimeout(self.commandTimeout, field: "commandTimeout")
            try RedisBackend.Configuration.checkMaximumValueSize(self.maximumValueSize)
            try RedisBackend.Configuration.checkReconnection(self.reconnection)
            try RedisBackend.Configuration.checkCredentials(username: self.username, password: self.password)
            return self
        }

        /// The settings of the connections to the node at `host:port` (call ``validated()`` first: they are taken
        /// as they are). A cluster has only database 0.
        func connectionSettings(host: String, port: Int) -> ConnectionSettings {
            ConnectionSettings(
                address: .tcp(host: host, port: port),
                username: self.username,
                password: self.password,
                database: 0,
                connectTimeout: self.connectTimeout,
                commandTimeout: self.commandTimeout,
                connectionCount: self.connectionsPerNode,
                reconnection: self.reconnection.connectionSettings,
                testHooks: self.testHooks
            )
        }
    }
}
