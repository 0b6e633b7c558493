import CacheLayer

@testable import CacheLayerRedis

/// A node of a test cluster, reached directly (not through the cluster backend's routing) for set-up and checks:
/// node ids, slot migration, key placement.
struct ClusterNodeAdmin {
    let port: Int
    let backend: RedisBackend

    init(port: Int) throws {
        self.port = port
        // Set-up and checks, not the code under test: a generous timeout, so a slow moment of a loaded machine
        // (a CLUSTER command once took longer than the default) does not fail a test about redirections.
        var configuration = try RedisBackend.Configuration(url: "redis://127.0.0.1:\(port)")
        configuration.commandTimeout = .seconds(5)
        self.backend = try RedisBackend(configuration: configuration)
    }

    func command(_ arguments: [UInt8]...) async throws -> RedisReply {
        try await self.backend.execute(RedisCommand(arguments))
    }

    func command(_ arguments: String...) async throws -> RedisReply {
        try await self.backend.execute(RedisCommand(arguments.map { Array($0.utf8) }))
    }

    /// `MIGRATE 127.0.0.1 <port> "" 0 5000 KEYS <keys>`: moves keys to another node, as a reshard does.
    func migrate(_ keys: [[UInt8]], to port: Int) async throws -> RedisReply {
        let head: [[UInt8]] = ["MIGRATE", "127.0.0.1", "\(port)", "", "0", "5000", "KEYS"].map { Array($0.utf8) }
        return try await self.backend.execute(RedisCommand(head + keys))
    }

    /// Sends `ASKING` and the command on one connection: what a client does after an ASK redirection.
    func asking(_ arguments: [UInt8]...) async throws -> RedisReply {
        try await self.backend.pool.send(RedisCommand(arguments), asking: true).get().checked(
            String(decoding: arguments[0], as: UTF8.self))
    }

    func text(_ arguments: String...) async throws -> String {
        let reply = try await self.backend.execute(RedisCommand(arguments.map { Array($0.utf8) }))
        switch reply {
        case .bulk(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .status(let text): return text
        default: throw RedisTestServer.RawCommandError(description: "unexpected reply \(reply)")
        }
    }

    var id: String {
        get async throws { try await self.text("CLUSTER", "MYID") }
    }

    /// The slot ranges and their masters, as this node sees them.
    func slots() async throws -> ClusterSlots {
        try ClusterSlots(
            parsing: await self.command("CLUSTER", "SLOTS"),
            from: ClusterNodeAddress(host: "127.0.0.1", port: self.port))
    }
}
