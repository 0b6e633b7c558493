import CacheLayer
import Testing

@testable import CacheLayerRedis

@Suite(
    "Redis backend under concurrency",
    .enabled(if: RedisTestServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh"))
struct RedisConcurrencyTests {
    static func value(for key: String, task: Int, step: Int) -> [UInt8] {
        Array("\(key)|\(task)|\(step)|".utf8) + [UInt8](repeating: UInt8(truncatingIfNeeded: step), count: step % 200)
    }

    static func owner(of value: [UInt8]) -> String? {
        value.firstIndex(of: UInt8(ascii: "|")).map { String(decoding: value[..<$0], as: UTF8.self) }
    }

    @Test func twoHundredTasksEachGetTheirOwnKeysData() async throws {
        let backend = try RedisBackendFixture.backend()
        let namespace = try CacheNamespace("concurrency")
        let tasks = 200
        let operations = 1_000

        let failures = await withTaskGroup(of: [String].self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var failures: [String] = []
                    var random = SystemRandomNumberGenerator()
                    for step in 0..<operations {
                        let name = "key-\(Int.random(in: 0..<500, using: &random))"
                        let key = CacheKey(namespace: namespace, key: name)
                        do {
                            switch Int.random(in: 0..<10, using: &random) {
                            case 0..<5:
                                if let value = try await backend.get(key), Self.owner(of: value) != name {
                                    failures.append("GET \(name) returned \(Self.owner(of: value) ?? "?")'s value")
                                }
                            case 5..<8:
                                try await backend.set(
                                    key, to: Self.value(for: name, task: task, step: step), ttl: .seconds(30))
                            case 8:
                                _ = try await backend.delete(key)
                            default:
                                let names = (0..<5).map { _ in "key-\(Int.random(in: 0..<500, using: &random))" }
                                let values = try await backend.get(
                                    names.map { CacheKey(namespace: namespace, key: $0) })
                                for (name, value) in zip(names, values)
                                where value != nil && Self.owner(of: value!) != name {
                                    failures.append("MGET \(name) returned \(Self.owner(of: value!) ?? "?")'s value")
                                }
                            }
                        } catch {
                            failures.append("\(error)")
                        }
                    }
                    return failures
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(3))")
        try await backend.deleteAll(in: namespace)
    }
}
