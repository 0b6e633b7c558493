import CacheLayer
import Testing

@testable import CacheLayerRedis

@Suite("Redis Cluster hash slots")
struct HashSlotTests {
    @Test func crc16MatchesTheXmodemCheckValue() {
        // The standard check value of CRC-16/XMODEM, also the one in Redis's crc16.c.
        let check = Array("123456789".utf8).withUnsafeBufferPointer(HashSlot.crc16)
        #expect(check == 0x31C3)
    }

    @Test func hashTagsFollowTheClusterSpecification() {
        // The examples of the Redis Cluster specification.
        #expect(HashSlot.of(Array("{user1000}.following".utf8)) == HashSlot.of(Array("{user1000}.followers".utf8)))
        #expect(HashSlot.of(Array("{user1000}.following".utf8)) == HashSlot.of(Array("user1000".utf8)))
        // An empty tag is no tag: the whole key is hashed.
        let emptyTag = Array("foo{}{bar}".utf8)
        #expect(HashSlot.of(emptyTag) == Int(emptyTag.withUnsafeBufferPointer(HashSlot.crc16) % 16_384))
        #expect(HashSlot.of(Array("foo{{bar}}zap".utf8)) == HashSlot.of(Array("{bar".utf8)))
        #expect(HashSlot.of(Array("foo{bar}{zap}".utf8)) == HashSlot.of(Array("bar".utf8)))
        #expect(HashSlot.of(Array("foo".utf8)) == 12182)
        #expect(HashSlot.of([]) == 0)
    }

    @Test(.enabled(if: RedisClusterTestServer.shouldRun, "set CACHELAYER_REDIS_CLUSTER_URLS or run scripts/test.sh"))
    func slotsMatchTheServersKeyslotForRandomKeys() async throws {
        let node = try ClusterNodeAdmin(port: try #require(RedisClusterTestServer.ports.first))
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcxyz019:{}-_ ".utf8)
        var mismatches: [String] = []
        for index in 0..<2_000 {
            // Mostly printable keys rich in braces, every tenth one arbitrary bytes.
            let length = Int.random(in: 0...24, using: &generator)
            let key: [UInt8] =
                index % 10 == 0
                ? (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                : (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            let reply = try await node.command(Array("CLUSTER".utf8), Array("KEYSLOT".utf8), key)
            if reply != .integer(Int64(HashSlot.of(key))) {
                mismatches.append("\(key): server \(reply), ours \(HashSlot.of(key))")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }
}
