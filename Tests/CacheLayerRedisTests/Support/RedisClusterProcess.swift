import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A Redis Cluster of a test's own: six redis-server processes (three masters, one replica each) on free loopback
/// ports, for tests that kill masters. Joined with CLUSTER ADDSLOTSRANGE, MEET and REPLICATE, which is what
/// `redis-cli --cluster create` sends, without a child process to wait for.
final class RedisClusterProcess: Sendable {
    let masters: [RedisServerProcess]
    let replicas: [RedisServerProcess]

    var nodes: [RedisServerProcess] { self.masters + self.replicas }

    /// The slots each master serves at the start (`masters[i]` serves `slotRanges[i]`; `replicas[i]` replicates it).
    static let slotRanges = [0...5460, 5461...10922, 10923...16383]
    var urls: String { self.nodes.map(\.url).joined(separator: ",") }

    /// Starts the nodes and waits until every node reports `cluster_state:ok` and every replica is in sync.
    init(nodeTimeoutMilliseconds: Int = 1000) async throws {
        let arguments = [
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
            "--cluster-node-timeout", "\(nodeTimeoutMilliseconds)",
        ]
        self.masters = try (0..<3).map { _ in try RedisServerProcess(arguments: arguments, port: Self.freeClusterPort())
        }
        self.replicas = try (0..<3).map { _ in
            try RedisServerProcess(arguments: arguments, port: Self.freeClusterPort())
        }
        for (master, range) in zip(self.masters, Self.slotRanges) {
            try Self.expectOK(master.raw("CLUSTER ADDSLOTSRANGE \(range.lowerBound) \(range.upperBound)"))
        }
        for node in self.nodes.dropFirst() {
            try Self.expectOK(node.raw("CLUSTER MEET 127.0.0.1 \(self.masters[0].port)"))
        }
        try await Self.waitFor("all six nodes to know each other") {
            try self.nodes.allSatisfy { node in
                try node.raw("CLUSTER NODES").split(separator: "\n").filter { $0.contains("127.0.0.1:") }.count == 6
            }
        }
        for (replica, master) in zip(self.replicas, self.masters) {
            let id = try Self.bulk(master.raw("CLUSTER MYID"))
            try await Self.waitFor("replica \(replica.port) to accept its master") {
                (try? Self.expectOK(replica.raw("CLUSTER REPLICATE \(id)"))) != nil
            }
        }
        try await Self.waitFor("the cluster to be up with replicas in sync") {
            try self.nodes.allSatisfy { try $0.raw("CLUSTER INFO").contains("cluster_state:ok") }
                && self.replicas.allSatisfy { try $0.raw("INFO replication").contains("master_link_status:up") }
        }
    }

    /// The node serving `slot` as its master now, among the six, asking `observer`.
    func master(ofSlot slot: Int, askingPort observer: Int) throws -> Int? {
        let nodes = try RedisTestServer.rawCommand("CLUSTER NODES", host: "127.0.0.1", port: UInt16(observer))
        for line in nodes.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 9, fields[2].contains("master"), !fields[2].contains("fail") else { continue }
            for range in fields[8...] {
                let bounds = range.split(separator: "-").compactMap { Int($0) }
                if bounds.count == 2 && (bounds[0]...bounds[1]).contains(slot) || bounds.count == 1 && bounds[0] == slot
                {
                    return fields[1].split(separator: ":").last.flatMap { Int($0.split(separator: "@")[0]) }
                }
            }
        }
        return nil
    }

    /// A free loopback port whose cluster bus port (the port + 10000) is free and valid too.
    static func freeClusterPort() throws -> Int {
        for _ in 0..<100 {
            let port = try RedisServerProcess.freePort()
            guard port + 10_000 <= 65_535 else { continue }
            let bus = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(bus) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port + 10_000).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(bus, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            if bound { return port }
        }
        throw RedisTestServer.RawCommandError(description: "no free port pair for a cluster node")
    }

    private static func expectOK(_ reply: String) throws {
        guard reply.hasPrefix("+OK") else {
            throw RedisTestServer.RawCommandError(description: "expected +OK, got \(reply)")
        }
    }

    private static func bulk(_ reply: String) throws -> String {
        let lines = reply.split(separator: "\r\n")
        guard lines.count >= 2, lines[0].hasPrefix("$") else {
            throw RedisTestServer.RawCommandError(description: "expected a bulk reply, got \(reply)")
        }
        return String(lines[1])
    }

    /// Polls `condition` every 50 ms for up to 20 s; throws a plain error (not a recorded issue) on time-out.
    static func waitFor(_ what: String, _ condition: () throws -> Bool) async throws {
        for _ in 0..<400 {
            if (try? condition()) == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw RedisTestServer.RawCommandError(description: "timed out waiting for \(what)")
    }
}
