import CacheLayerTestSupport
import Testing

@testable import CacheLayer

@Suite("Memory backend under concurrency")
struct MemoryBackendConcurrencyTests {
    /// Every value starts with its own key and a separator, so a read can prove it got its key's data.
    static func value(for key: String, task: Int, step: Int, padding: Int) -> [UInt8] {
        Array("\(key)|\(task)|\(step)|".utf8) + [UInt8](repeating: UInt8(truncatingIfNeeded: step), count: padding)
    }

    static func keyPrefix(of value: [UInt8]) -> String? {
        value.firstIndex(of: UInt8(ascii: "|")).map { String(decoding: value[..<$0], as: UTF8.self) }
    }

    @Test func manyTasksNeverSeeAnotherKeysValueAndTheBudgetHolds() async throws {
        let budget = 512 * 1024
        let backend = try MemoryBackend(configuration: .init(byteBudget: budget, shardCount: 8))
        let cache = try Cache(namespace: "concurrency", backend: backend)
        let tasks = 64
        let operationsPerTask = 10_000

        let failures = await withTaskGroup(of: [String].self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var random = SeededGenerator(seed: UInt64(task) + 1)
                    var failures: [String] = []
                    for step in 0..<operationsPerTask {
                        let key = "key-\(Int.random(in: 0..<2_000, using: &random))"
                        do {
                            switch Int.random(in: 0..<10, using: &random) {
                            case 0..<5:
                                if let value = try await cache.getBytes(key), Self.keyPrefix(of: value) != key {
                                    failures.append("read \(key), got a value for \(Self.keyPrefix(of: value) ?? "?")")
                                }
                            case 5..<8:
                                let padding = Int.random(in: 0...600, using: &random)
                                try await cache.putBytes(
                                    key, Self.value(for: key, task: task, step: step, padding: padding))
                            case 8:
                                try await cache.remove(key)
                            default:
                                let batch = (0..<4).map { _ in "key-\(Int.random(in: 0..<2_000, using: &random))" }
                                for (requested, value) in zip(batch, try await cache.getBytes(batch)) {
                                    if let value, Self.keyPrefix(of: value) != requested {
                                        failures.append(
                                            "batch read \(requested), got \(Self.keyPrefix(of: value) ?? "?")")
                                    }
                                }
                            }
                        } catch {
                            failures.append("step \(step): \(error)")
                        }
                        if step % 1_000 == 0, backend.statistics.bytes > budget {
                            failures.append("budget exceeded: \(backend.statistics.bytes) > \(budget)")
                        }
                        if step % 64 == 0 {
                            await Task.yield()  // interleave the tasks: the memory backend never suspends
                        }
                    }
                    return failures
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }

        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(5))")
        #expect(backend.brokenInvariant() == nil)
        let statistics = backend.statistics
        #expect(statistics.bytes <= budget)
        #expect(statistics.hits > 0 && statistics.evictions > 0, "the run must have exercised hits and evictions")
    }
}
