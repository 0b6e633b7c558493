import Foundation
import Testing

/// A redis-server of a test's own, on a free loopback port: for AUTH/ACL set-ups and for stopping and starting a
/// server under load. The binary comes from `CACHELAYER_REDIS_SERVER` (set by scripts/test.sh) or the PATH.
final class RedisServerProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` is replaced only by start()/stop(), which tests call from one task.
    let port: Int
    let arguments: [String]
    private var process: Process?
    private let directory: URL

    var url: String { "redis://127.0.0.1:\(self.port)" }

    init(arguments: [String] = [], port: Int? = nil) throws {
        self.port = try port ?? Self.freePort()
        self.arguments = arguments
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachelayer-redis-\(self.port)-\(UUID())")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        try self.start()
    }

    deinit {
        self.process?.terminate()
        self.process?.waitUntilExit()
        try? FileManager.default.removeItem(at: self.directory)
    }

    static var binary: String {
        ProcessInfo.processInfo.environment["CACHELAYER_REDIS_SERVER"] ?? "/usr/bin/redis-server"
    }

    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = [
            "--bind", "127.0.0.1", "--port", "\(self.port)", "--save", "", "--appendonly", "no",
            "--dir", self.directory.path, "--logfile", self.directory.appendingPathComponent("redis.log").path,
        ] + self.arguments
        try process.run()
        self.process = process
        for _ in 0..<200 {
            if (try? self.raw("PING").hasPrefix("+PONG")) == true || (try? self.raw("PING").hasPrefix("-NOAUTH")) == true {
                return
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        Issue.record("redis-server did not start on port \(self.port)")
    }

    /// Kills the server (SIGKILL: like a crash, no chance to answer anyone).
    func kill() {
        guard let process = self.process else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
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
