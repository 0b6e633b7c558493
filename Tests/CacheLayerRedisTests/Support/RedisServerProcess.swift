import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A redis-server of a test's own, on a free loopback port: for AUTH/ACL set-ups and for stopping and starting a
/// server under load. The binary comes from `CACHELAYER_REDIS_SERVER` (set by scripts/test.sh) or
/// /usr/bin/redis-server. Spawned with posix_spawn and reaped with waitpid (Foundation's `Process` can deadlock
/// waiting from inside Swift concurrency on Linux).
final class RedisServerProcess: @unchecked Sendable {
    // @unchecked Sendable: `pid` changes only in start()/kill(), which a test calls from one task at a time.
    let port: Int
    let arguments: [String]
    private var pid: pid_t?
    private let directory: String

    var url: String { "redis://127.0.0.1:\(self.port)" }

    init(arguments: [String] = [], port: Int? = nil) throws {
        self.port = try port ?? Self.freePort()
        self.arguments = arguments
        var template = Array("/tmp/cachelayer-redis-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw RedisTestServer.RawCommandError(description: "mkdtemp failed")
        }
        self.directory = String(cString: made)
        try self.start()
    }

    deinit {
        self.kill()
        system("rm -rf '\(self.directory)'")
    }

    static var binary: String {
        getenv("CACHELAYER_REDIS_SERVER").map { String(cString: $0) } ?? "/usr/bin/redis-server"
    }

    func start() throws {
        let argv =
            [
                Self.binary, "--bind", "127.0.0.1", "--port", "\(self.port)", "--save", "", "--appendonly", "no",
                "--dir", self.directory, "--logfile", "\(self.directory)/redis.log",
            ] + self.arguments
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, Self.binary, nil, nil, &cArguments, environ)
        guard spawned == 0 else {
            throw RedisTestServer.RawCommandError(description: "posix_spawn \(Self.binary) failed: \(spawned)")
        }
        self.pid = pid
        for _ in 0..<250 {
            if let reply = try? self.raw("PING"), reply.hasPrefix("+PONG") || reply.hasPrefix("-NOAUTH") {
                return
            }
            usleep(20_000)
        }
        Issue.record("redis-server did not start on port \(self.port)")
    }

    /// Kills the server (SIGKILL: like a crash, no chance to answer anyone) and reaps it.
    func kill() {
        guard let pid = self.pid else { return }
        Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        self.pid = nil
    }

    /// Stops the server (SIGSTOP): it keeps its connections and its data, and answers nothing until ``resume()``.
    func pause() {
        guard let pid = self.pid else { return }
        Glibc.kill(pid, SIGSTOP)
    }

    /// Lets a server stopped by ``pause()`` go on (SIGCONT): it then runs what it received meanwhile.
    func resume() {
        guard let pid = self.pid else { return }
        Glibc.kill(pid, SIGCONT)
    }

    /// Sends one inline command on a fresh connection (for set-up and checks, not for the code under test).
    func raw(_ command: String) throws -> String {
        try RedisTestServer.rawCommand(command, host: "127.0.0.1", port: UInt16(self.port))
    }

    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        try #require(bound, "cannot find a free port")
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
