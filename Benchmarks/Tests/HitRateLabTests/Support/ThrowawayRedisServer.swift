import Dispatch
import HitRateLab
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A redis-server of a test's own, listening only on a unix socket in a fresh folder (no TCP port to pick or to
/// collide on), so a test may change its maxmemory and policy. The
/// binary is `CACHELAYER_REDIS_SERVER` (set by scripts/test.sh) or /usr/bin/redis-server. Spawned with
/// posix_spawn, stopped with SIGKILL and reaped off the cooperative pool (Foundation's `Process` can deadlock
/// waiting from inside Swift concurrency on Linux).
final class ThrowawayRedisServer: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let pid: pid_t
    private let directory: String

    /// The socket's path.
    var socket: String { "\(self.directory)/redis.sock" }
    var url: String { "unix://\(self.socket)" }

    static var binary: String {
        getenv("CACHELAYER_REDIS_SERVER").map { String(cString: $0) } ?? "/usr/bin/redis-server"
    }

    /// Whether Redis tests should run: the binary is there, or this is CI (where a missing server must fail the
    /// tests, not skip them).
    static var shouldRun: Bool {
        access(Self.binary, X_OK) == 0 || getenv("CI").map { String(cString: $0) } == "true"
    }

    /// Starts a server and waits (at most 5 s) until it answers PING.
    static func start() async throws -> ThrowawayRedisServer {
        var template = Array("/tmp/cachelayer-bench-redis-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure(description: "mkdtemp failed") }
        let directory = String(cString: made)
        let argv = [
            Self.binary, "--bind", "127.0.0.1", "--port", "0", "--unixsocket", "\(directory)/redis.sock", "--save", "",
            "--appendonly", "no",
            "--dir", directory, "--logfile", "\(directory)/redis.log",
        ]
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, Self.binary, nil, nil, cArguments, environ)
        guard spawned == 0 else {
            throw Failure(
                description:
                    "cannot start \(Self.binary) (posix_spawn error \(spawned)); install redis-server or set CACHELAYER_REDIS_SERVER"
            )
        }
        let server = ThrowawayRedisServer(pid: pid, directory: directory)
        for _ in 0..<250 {
            if let admin = try? await server.admin(), (try? await admin.command(["PING"])) == .string("PONG") {
                return server
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        await server.stop()
        throw Failure(description: "redis-server did not answer on \(server.socket) within 5 s")
    }

    private init(pid: pid_t, directory: String) {
        self.pid = pid
        self.directory = directory
    }

    /// An admin connection to the server.
    func admin() async throws -> RedisAdminConnection {
        try await RedisAdminConnection.connect(.init(endpoint: .unixSocket(path: self.socket)), timeout: .seconds(1))
    }

    /// Kills the server and removes its folder; waitpid runs on a dispatch thread.
    func stop() async {
        let (pid, directory) = (self.pid, self.directory)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                kill(pid, SIGKILL)
                var status: Int32 = 0
                waitpid(pid, &status, 0)
                unlink("\(directory)/redis.log")
                unlink("\(directory)/redis.sock")
                rmdir(directory)
                continuation.resume()
            }
        }
    }
}
