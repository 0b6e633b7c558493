import CacheLayer
import Testing

@testable import CacheLayerRedis

/// The cluster's replies the backend reads: redirections and CLUSTER SLOTS.
@Suite("Redis Cluster replies")
struct ClusterRepliesTests {
    @Test func readsRedirections() {
        #expect(
            ClusterRedirection("MOVED 3999 127.0.0.1:6381", fallbackHost: "h")
                == .init("MOVED 3999 127.0.0.1:6381", fallbackHost: "x"))
        let moved = ClusterRedirection("MOVED 3999 127.0.0.1:6381", fallbackHost: "h")
        #expect(
            moved?.kind == .moved && moved?.slot == 3999
                && moved?.target == ClusterNodeAddress(host: "127.0.0.1", port: 6381))
        let ask = ClusterRedirection("ASK 12 ::1:7000", fallbackHost: "h")
        #expect(ask?.kind == .ask && ask?.target == ClusterNodeAddress(host: "::1", port: 7000))
        #expect(
            ClusterRedirection("MOVED 5 :7000", fallbackHost: "10.0.0.9")?.target
                == ClusterNodeAddress(host: "10.0.0.9", port: 7000))
        #expect(ClusterRedirection("MOVED 16384 127.0.0.1:1", fallbackHost: "h") == nil)
        #expect(ClusterRedirection("WRONGTYPE Operation against a key", fallbackHost: "h") == nil)
    }

    @Test func readsClusterSlots() throws {
        func node(_ host: String, _ port: Int64) -> RedisReply {
            .array([.bulk(Array(host.utf8)), .integer(port), .bulk(Array("id".utf8))])
        }
        let reply = RedisReply.array([
            .array([.integer(0), .integer(5460), node("10.0.0.1", 7000), node("10.0.0.4", 7003)]),
            .array([.integer(5461), .integer(16383), node("", 7001)]),
        ])
        let slots = try ClusterSlots(parsing: reply, from: ClusterNodeAddress(host: "10.0.0.9", port: 7005))
        #expect(slots.ranges.map(\.slots) == [0...5460, 5461...16383])
        // An empty host means the node that answered.
        #expect(
            slots.masters == [
                ClusterNodeAddress(host: "10.0.0.1", port: 7000), ClusterNodeAddress(host: "10.0.0.9", port: 7001),
            ])

        let bad = RedisReply.array([.array([.integer(5), .integer(16384), node("h", 1)])])
        let error = #expect(throws: CacheError.self) {
            try ClusterSlots(parsing: bad, from: ClusterNodeAddress(host: "h", port: 1))
        }
        #expect(error?.code == .backendError)
    }
}
