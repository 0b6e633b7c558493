/// What a pool's connections need to reach one server and log in, and how they behave under failure: the
/// settings the connection machinery takes, so it never sees a backend's public configuration.
///
/// The single-node backend's configuration maps into one for its server; the cluster backend's into one per
/// master, with that master's address. Both check their values first (ranges, strings that reach C whole), so
/// the connections take these as they are.
struct ConnectionSettings: Sendable {
    /// Where the server listens.
    enum Address: Sendable, Hashable {
        /// A TCP host name or address and port.
        case tcp(host: String, port: Int)
        /// A unix domain socket path.
        case unixSocket(path: String)
    }

    /// Backoff between reconnection attempts, and the circuit breaker that stops them for a while.
    struct Reconnection: Sendable {
        /// The first wait after a failed connection; it doubles up to ``maximumBackoff`` (with full jitter).
        var initialBackoff: Duration
        /// The longest wait between two attempts.
        var maximumBackoff: Duration
        /// How many consecutive connection failures open the breaker.
        var failureThreshold: Int
        /// How long the open breaker fails calls fast before one connection probes.
        var coolDown: Duration
    }

    /// Where the server listens.
    var address: Address
    /// The ACL user for `AUTH user password`; `nil` sends `AUTH password` (the `default` user).
    var username: String?
    /// The password; `nil` sends no `AUTH`.
    var password: String?
    /// The database to `SELECT` after logging in; 0 sends no `SELECT`.
    var database: Int
    /// How long a connection attempt (including `AUTH` and `SELECT`) may take.
    var connectTimeout: Duration
    /// How long a connection waits for a reply before it gives up and fails its requests.
    var commandTimeout: Duration
    /// How many connections (each with its own I/O thread) the pool keeps.
    var connectionCount: Int
    /// Backoff and circuit-breaker settings.
    var reconnection: Reconnection
    /// Points where tests observe and hold the connection threads; `nil` outside tests.
    var testHooks: ConnectionTestHooks?
}
