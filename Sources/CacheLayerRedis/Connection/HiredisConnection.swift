import CHiredis
import CacheLayer

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One hiredis context: a blocking socket to the server, set up (timeouts, AUTH, SELECT) and ready for commands.
///
/// A context is not thread-safe and is not reusable after an error: it is used by exactly one connection thread
/// and freed as soon as anything goes wrong. Reconnecting means a new `HiredisConnection` (and so new socket
/// timeouts), never `redisReconnect` on the old context.
final class HiredisConnection {
    let context: UnsafeMutablePointer<redisContext>
    /// The address and port of the peer socket (TCP), for the `network.peer.*` span attributes.
    let peer: (address: String, port: Int)?

    /// Connects and logs in. Runs blocking C calls: call it on a connection thread only.
    static func connect(_ settings: ConnectionSettings) -> Result<HiredisConnection, CacheError> {
        let connectTimeout = settings.connectTimeout.timeval
        let made: UnsafeMutablePointer<redisContext>? =
            switch settings.address {
            case .tcp(let host, let port): redisConnectWithTimeout(host, Int32(port), connectTimeout)
            case .unixSocket(let path): redisConnectUnixWithTimeout(path, connectTimeout)
            }
        guard let context = made else {
            return .failure(CacheError(.backendUnavailable, "cannot allocate a hiredis context"))
        }
        if context.pointee.err != 0 {
            let error = Self.error(context, while: "connecting to \(settings.address)")
            redisFree(context)
            return .failure(error)
        }
        // The connect timeout stays on the socket after connecting; replace it with the command timeout, which
        // also bounds the login below.
        redisSetTimeout(context, settings.commandTimeout.timeval)
        if case .tcp = settings.address {
            redisEnableKeepAlive(context)
        }
        let connection = HiredisConnection(context: context)
        if let failure = connection.logIn(settings) {
            return .failure(failure)
        }
        return .success(connection)
    }

    private init(context: UnsafeMutablePointer<redisContext>) {
        self.context = context
        self.peer = Self.peerAddress(of: context.pointee.fd)
    }

    deinit {
        redisFree(self.context)
    }

    private func logIn(_ settings: ConnectionSettings) -> CacheError? {
        var handshake: [RedisCommand] = []
        if let password = settings.password {
            if let username = settings.username {
                handshake.append(RedisCommand("AUTH", Array(username.utf8), Array(password.utf8)))
            } else {
                handshake.append(RedisCommand("AUTH", Array(password.utf8)))
            }
        }
        if settings.database != 0 {
            handshake.append(RedisCommand("SELECT", Array(String(settings.database).utf8)))
        }
        for command in handshake {
            switch self.roundTrip(command) {
            case .success(.status):
                continue
            case .success(let reply):
                do {
                    _ = try reply.checked(command.name)
                    return reply.unexpected(command.name)
                } catch {
                    return error
                }
            case .failure(let error):
                return error
            }
        }
        return nil
    }

    /// Sends one command and waits for its reply (the handshake's only use; the pipeline is in the worker).
    private func roundTrip(_ command: RedisCommand) -> Result<RedisReply, CacheError> {
        guard command.append(to: self.context) == REDIS_OK else {
            return .failure(Self.error(self.context, while: "sending \(command.name)"))
        }
        return self.readReply(for: command.name)
    }

    /// Writes everything appended so far. Blocks up to the command timeout per write.
    func flush() -> CacheError? {
        var done: Int32 = 0
        while done == 0 {
            if redisBufferWrite(self.context, &done) != REDIS_OK {
                return Self.error(self.context, while: "writing")
            }
        }
        return nil
    }

    /// Reads the next reply. Blocks up to the command timeout per read. `command` names it in an error only.
    func readReply(for command: @autoclosure () -> String) -> Result<RedisReply, CacheError> {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(self.context, &raw) == REDIS_OK, let raw else {
            return .failure(Self.error(self.context, while: "reading the reply to \(command())"))
        }
        let reply = RedisReply(raw.assumingMemoryBound(to: redisReply.self))
        freeReplyObject(raw)
        return .success(reply)
    }

    /// Classifies the context's error: a read or write that hit the socket timeout is a timeout; anything else
    /// (refused, reset, closed, protocol) makes the server unavailable on this connection.
    private static func error(_ context: UnsafeMutablePointer<redisContext>, while action: String) -> CacheError {
        let savedErrno = errno
        let description = withUnsafeBytes(of: context.pointee.errstr) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        let timedOut =
            context.pointee.err == REDIS_ERR_IO
            && (savedErrno == EAGAIN || savedErrno == EWOULDBLOCK || savedErrno == ETIMEDOUT)
            || description.lowercased().contains("timed out")
        if timedOut {
            return CacheError(.timeout, "Redis did not answer in time while \(action) (\(description))")
        }
        if context.pointee.err == REDIS_ERR_PROTOCOL {
            return CacheError(.backendError, "protocol error while \(action): \(description)")
        }
        return CacheError(.backendUnavailable, "Redis connection failed while \(action): \(description)")
    }

    private static func peerAddress(of descriptor: Int32) -> (address: String, port: Int)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let found = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(descriptor, $0, &length) }
        }
        guard found == 0 else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var ip = address.pointee.sin_addr
                    inet_ntop(AF_INET, &ip, &text, socklen_t(text.count))
                    return (Self.string(text), Int(UInt16(bigEndian: address.pointee.sin_port)))
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var ip = address.pointee.sin6_addr
                    inet_ntop(AF_INET6, &ip, &text, socklen_t(text.count))
                    return (Self.string(text), Int(UInt16(bigEndian: address.pointee.sin6_port)))
                }
            }
        default:
            return nil
        }
    }

    private static func string(_ nulTerminated: [CChar]) -> String {
        String(decoding: nulTerminated.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
