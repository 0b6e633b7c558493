import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The redis-server the test command started for this run (`scripts/test.sh` exports its address).
///
/// Tests that need Redis are enabled when the address is set, and always under CI (`CI=true`), where a missing
/// or unreachable server fails the test instead of skipping it.
enum RedisTestServer {
    static let environment = "CACHELAYER_REDIS_URL"

    static var url: String? {
        getenv(environment).map { String(cString: $0) }
    }

    static var isCI: Bool {
        getenv("CI").map { String(cString: $0).lowercased() == "true" } ?? false
    }

    static var shouldRun: Bool { url != nil || isCI }

    /// Host and port from a `redis://host:port` URL.
    static func address() throws -> (host: String, port: UInt16) {
        let url = try #require(url, "\(environment) is not set: run the tests with scripts/test.sh")
        let authority = url.split(separator: "//").last?.split(separator: "/").first ?? ""
        let parts = authority.split(separator: ":")
        let port = try #require(parts.count == 2 ? UInt16(parts[1]) : nil, "cannot read host:port from \(url)")
        return (String(parts[0]), port)
    }

    /// Sends one inline command over a fresh TCP connection and returns the raw reply (for harness checks only;
    /// the library's Redis backend has its own client).
    static func rawCommand(_ command: String) throws -> String {
        let (host, port) = try address()
        return try rawCommand(command, host: host, port: port)
    }

    struct RawCommandError: Error, CustomStringConvertible {
        var description: String
    }

    /// Throws a plain error (not a recorded test issue) when the server is not there, so callers can poll.
    static func rawCommand(_ command: String, host: String, port: UInt16) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawCommandError(description: "socket() failed") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) == 1 else {
            throw RawCommandError(description: "bad IPv4 address \(host)")
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            throw RawCommandError(description: "cannot connect to redis-server at \(host):\(port)")
        }
        let request = Array((command + "\r\n").utf8)
        guard send(fd, request, request.count, 0) == request.count else {
            throw RawCommandError(description: "send failed")
        }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let received = recv(fd, &buffer, buffer.count, 0)
        guard received > 0 else { throw RawCommandError(description: "no reply from redis-server") }
        return String(decoding: buffer[..<received], as: UTF8.self)
    }
}
