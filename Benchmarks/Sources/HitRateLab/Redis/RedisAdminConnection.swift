import CRedisAdmin
import CacheLayer
import CacheLayerRedis
import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// One blocking hiredis connection for the commands the cache backend does not send: `CONFIG GET`/`SET`, `INFO`,
/// `SCAN` and `DBSIZE`. It logs in as the backend would (AUTH, SELECT) from the same configuration.
///
/// Every hiredis call runs on a serial dispatch queue of the connection's own, never on Swift's cooperative pool;
/// callers suspend until it answers.
public final class RedisAdminConnection: @unchecked Sendable {
    // @unchecked Sendable: `handle` is read and written only by blocks running on `queue`, which is serial, and
    // after `close()` (also on the queue) it is nil.
    private let queue = DispatchQueue(label: "cachelayer-bench.redis-admin")
    private var handle: UnsafeMutableRawPointer?
    /// Where the server is, for messages: `127.0.0.1:6379` or a socket path.
    public let address: String

    private init(address: String) {
        self.address = address
    }

    deinit {
        cra_disconnect(self.handle)
    }

    /// Connects and logs in (AUTH and SELECT as `configuration` says).
    /// - Throws: ``HitRateLabError/Code/redisUnavailable`` naming the address when the server cannot be reached,
    ///   ``HitRateLabError/Code/redisError`` when it refuses the login.
    public static func connect(
        _ configuration: RedisBackend.Configuration,
        timeout: Duration = .seconds(5)
    ) async throws(HitRateLabError) -> RedisAdminConnection {
        let address: String
        let host: String?
        let port: Int
        let path: String?
        switch configuration.endpoint {
        case .tcp(let tcpHost, let tcpPort):
            (address, host, port, path) = ("\(tcpHost):\(tcpPort)", tcpHost, tcpPort, nil)
        case .unixSocket(let socketPath):
            (address, host, port, path) = (socketPath, nil, 0, socketPath)
        }
        let milliseconds = Int32(
            clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let connection = RedisAdminConnection(address: address)
        let connected: Result<Void, HitRateLabError> = await withCheckedContinuation { continuation in
            connection.queue.async {
                var error = [CChar](repeating: 0, count: 512)
                connection.handle = cra_connect(host, Int32(port), path, milliseconds, &error, error.count)
                guard connection.handle != nil else {
                    let failure = HitRateLabError(
                        .redisUnavailable, "cannot reach Redis at \(address): \(Self.text(error))")
                    return continuation.resume(returning: .failure(failure))
                }
                continuation.resume(returning: .success(()))
            }
        }
        try connected.get()
        if let password = configuration.password {
            _ = try await connection.command(["AUTH"] + (configuration.username.map { [$0] } ?? []) + [password])
        }
        if configuration.database != 0 {
            _ = try await connection.command(["SELECT", String(configuration.database)])
        }
        return connection
    }

    /// Sends a command and waits for its reply.
    /// - Throws: ``HitRateLabError/Code/redisError`` for an error reply, ``HitRateLabError/Code/redisUnavailable``
    ///   when the connection fails (or was closed).
    public func command(_ arguments: [String]) async throws(HitRateLabError) -> RedisAdminReply {
        let address = self.address
        let result: Result<RedisAdminReply, HitRateLabError> = await withCheckedContinuation { continuation in
            self.queue.async {
                continuation.resume(returning: self.send(arguments, address: address))
            }
        }
        return try result.get()
    }

    /// For an interrupted run: after whatever command is in progress, calls `stopWriters` (which stops the data
    /// connections) and gives their last batches 200 ms to land, sends `commands` (restoring settings), deletes the
    /// keys matching `keyPattern` (SCAN and UNLINK, bounded), reports on standard error, and ends the process with
    /// status 128 + `signal`. Nothing sent through this connection afterwards can run, since the process ends on
    /// the connection's own queue.
    func restoreAndExit(
        _ commands: [[String]], keyPattern: String, signal number: Int32, stopWriters: @escaping @Sendable () -> Void
    ) {
        self.queue.async {
            stopWriters()
            usleep(200_000)
            var failures: [String] = []
            for command in commands {
                if case .failure(let error) = self.send(command, address: self.address) {
                    failures.append(error.message)
                }
            }
            var cursor = "0"
            for _ in 0..<100_000 {
                guard
                    case .success(.array(let reply)) = self.send(
                        ["SCAN", cursor, "MATCH", keyPattern, "COUNT", "1000"], address: self.address),
                    let next = reply.first
                else {
                    failures.append("could not list the tool's keys (\(keyPattern)) to delete them")
                    break
                }
                if reply.count > 1,
                    case .failure(let error) = self.send(["UNLINK"] + reply.dropFirst(), address: self.address)
                {
                    failures.append(error.message)
                }
                cursor = next
                if cursor == "0" { break }
            }
            let summary =
                failures.isEmpty
                ? "interrupted: restored \(commands.map { $0.joined(separator: " ") }.joined(separator: "; ")) on \(self.address) and deleted \(keyPattern)\n"
                : "interrupted: restoring \(self.address) failed (\(failures.joined(separator: "; "))); run: \(commands.map { $0.joined(separator: " ") }.joined(separator: "; "))\n"
            // write(2) to standard error: no shared FILE*, and nothing buffered is lost by exit.
            _ = summary.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
            exit(128 + number)
        }
    }

    /// Closes the connection; later commands fail with ``HitRateLabError/Code/redisUnavailable``.
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            self.queue.async {
                cra_disconnect(self.handle)
                self.handle = nil
                continuation.resume()
            }
        }
    }

    /// Runs on `queue`.
    private func send(_ arguments: [String], address: String) -> Result<RedisAdminReply, HitRateLabError> {
        guard let handle = self.handle else {
            return .failure(HitRateLabError(.redisUnavailable, "the admin connection to \(address) is closed"))
        }
        let cStrings = arguments.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        var pointers = cStrings.map { UnsafePointer<CChar>($0) }
        var lengths = arguments.map { $0.utf8.count }
        var text: UnsafeMutablePointer<CChar>?
        var textLength = 0
        var integer: Int64 = 0
        var error = [CChar](repeating: 0, count: 512)
        let kind = pointers.withUnsafeMutableBufferPointer { argv in
            lengths.withUnsafeMutableBufferPointer { lengthBuffer in
                argv.withMemoryRebound(to: UnsafePointer<CChar>?.self) { argvOptional in
                    cra_command(
                        handle, Int32(arguments.count), argvOptional.baseAddress, lengthBuffer.baseAddress,
                        &text, &textLength, &integer, &error, error.count)
                }
            }
        }
        defer { cra_free_text(text) }
        let body =
            text.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: textLength), as: UTF8.self) } ?? ""
        let name = arguments.first ?? ""
        switch Int(kind) {
        case CRA_REPLY_STRING: return .success(.string(body))
        case CRA_REPLY_INTEGER: return .success(.integer(integer))
        case CRA_REPLY_NIL: return .success(.null)
        case CRA_REPLY_ARRAY:
            var lines = body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
            return .success(.array(lines))
        case CRA_REPLY_ERROR:
            return .failure(HitRateLabError(.redisError, "Redis at \(address) refused \(name): \(body)"))
        default:
            cra_disconnect(handle)
            self.handle = nil
            return .failure(
                HitRateLabError(
                    .redisUnavailable, "lost the connection to Redis at \(address) during \(name): \(Self.text(error))")
            )
        }
    }

    /// A NUL-terminated C buffer as text.
    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
