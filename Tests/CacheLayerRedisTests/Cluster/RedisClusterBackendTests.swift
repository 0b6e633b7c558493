import CacheLayer
import InMemoryTracing
import MetricsTestKit
import Synchronization
import Testing
import Tracing

@testable import CacheLayerRedis

/// The cluster backend on the test command's cluster (three masters, three replicas): routing, hash tags,
/// multi-key work, locks' primitives, spans and node metrics.
@Suite(
    "Redis Cluster backend",
    .enabled(if: RedisClusterTestServer.shouldRun, "set CACHELAYER_REDIS_CLUSTER_URLS or run scripts/test.sh"))
struct RedisClusterBackendTests {
    let namespace = try! CacheNamespace("cluster")

    func key(_ name: String) -> CacheKey { CacheKey(namespace: self.namespace, key: name) }

    /// One key per hash slot, for this backend's layout: `keys[slot]` hashes to `slot`.
    func keyPerSlot(_ backend: RedisClusterBackend) -> [String] {
        var keys = [String?](repeating: nil, count: HashSlot.count)
        var missing = HashSlot.count
        var candidate = 0
        // About 16384 * ln(16384) tries; bounded well above that.
        while missing > 0 && candidate < 2_000_000 {
            let name = "s\(candidate)"
            let slot = HashSlot.of(backend.keyLayout.redisKey(self.key(name)))
            if keys[slot] == nil {
                keys[slot] = name
                missing -= 1
            }
            candidate += 1
        }
        return keys.map { $0! }
    }

    @Test func roundTripsInEverySlotGoStraightToTheOwner() async throws {
        let metrics = TestMetrics()
        let backend = try RedisClusterBackend(configuration: RedisClusterTestServer.configuration(nodeMetrics: metrics))
        let keys = self.keyPerSlot(backend)

        // 64 tasks, each a stride of the 16384 slots: write, read back, delete.
        let wrong = await withTaskGroup(of: [String].self) { group in
            for task in 0..<64 {
                group.addTask {
                    var wrong: [String] = []
                    for slot in stride(from: task, to: HashSlot.count, by: 64) {
                        let key = self.key(keys[slot])
                        let value = CacheLoad.value(keys[slot])
                        do {
                            try await backend.set(key, to: value, ttl: .seconds(60))
                            let read = try await backend.get(key)
                            let removed = try await backend.delete(key)
                            if read != value || !removed {
                                wrong.append("slot \(slot): read \(String(describing: read)), removed \(removed)")
                            }
                        } catch {
                            wrong.append("slot \(slot): \(error)")
                        }
                    }
                    return wrong
                }
            }
            return await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")

        // Every command went to the slot's owner at once: three masters served, none redirected or failed.
        let counters = metrics.counters(label: "cache.redis.node.requests")
        let served = counters.filter { $0.dimensions.contains { $0 == ("result", "ok") } && $0.totalValue > 0 }
        #expect(served.count == 3)
        #expect(
            counters.filter { !$0.dimensions.contains { $0 == ("result", "ok") } }.allSatisfy { $0.totalValue == 0 })
        #expect(served.reduce(0) { $0 + $1.totalValue } == Int64(3 * HashSlot.count))
    }

    @Test func keysSharingAHashTagShareASlotAcrossNamespaces() async throws {
        let backend = try RedisClusterTestServer.backend()
        let value = CacheKey(namespace: try CacheNamespace("orders"), key: "{order:42}")
        let lock = CacheKey(namespace: try CacheNamespace("locks"), key: "lock:{order:42}")
        #expect(HashSlot.of(backend.keyLayout.redisKey(value)) == HashSlot.of(backend.keyLayout.redisKey(lock)))
        #expect(HashSlot.of(backend.keyLayout.redisKey(value)) == HashSlot.of(Array("order:42".utf8)))

        // The lock primitives: set-if-absent and the owner-checked delete (a script, on the slot's master).
        #expect(try await backend.setIfAbsent(lock, to: Array("owner-a".utf8), ttl: .seconds(10)))
        #expect(try await !backend.setIfAbsent(lock, to: Array("owner-b".utf8), ttl: .seconds(10)))
        try await backend.set(value, to: [42], ttl: .seconds(10))
        #expect(try await !backend.delete(lock, ifValueEquals: Array("owner-b".utf8)))
        #expect(try await backend.delete(lock, ifValueEquals: Array("owner-a".utf8)))
        #expect(try await backend.get(lock) == nil)
        #expect(try await backend.get(value) == [42])
    }

    /// Loader runs per key, counted from many tasks.
    final class LoadCounts: Sendable {
        let counts = Mutex([String: Int]())
    }

    @Test func theDistributedLockLoadsEachKeyOnceAcrossBackends() async throws {
        // Four backends (as four processes would have) share one key prefix; 64 callers each.
        let prefix = try RedisClusterTestServer.configuration().keyPrefix
        let caches = try (0..<4).map { _ in
            var configuration = try RedisClusterTestServer.configuration()
            configuration.keyPrefix = prefix
            return try Cache(namespace: "reports", backend: RedisClusterBackend(configuration: configuration))
        }
        let policy = LoadPolicy(lock: .init(lease: .seconds(5), maximumWait: .seconds(5)))
        let keys = (0..<5).map { "{report:\($0)}" }
        let loads = LoadCounts()
        let wrong = await withTaskGroup(of: [String].self) { group in
            for (index, cache) in caches.enumerated() {
                for caller in 0..<64 {
                    group.addTask {
                        let key = keys[(index + caller) % keys.count]
                        do {
                            let value = try await cache.getOrLoad(key: key, ttl: .seconds(60), policy: policy) {
                                loads.counts.withLock { $0[key, default: 0] += 1 }
                                try await Task.sleep(for: .milliseconds(100))
                                return "value of \(key)"
                            }
                            return value == "value of \(key)" ? [] : ["\(key): \(value)"]
                        } catch {
                            return ["\(key): \(error)"]
                        }
                    }
                }
            }
            return await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
        #expect(loads.counts.withLock { $0 } == Dictionary(uniqueKeysWithValues: keys.map { ($0, 1) }))
        // The lock's key (namespace "reports\u{1}lock", same key) shares the value's hash tag, so both live on one master.
        let layout = RedisKeyLayout(keyPrefix: prefix)
        let valueSlot = HashSlot.of(layout.redisKey(CacheKey(namespace: try CacheNamespace("reports"), key: keys[0])))
        #expect(valueSlot == HashSlot.of(Array((prefix + "reports\u{1}lock:" + keys[0]).utf8)))
    }

    @Test func batchGetOverManySlotsKeepsTheOrder() async throws {
        let backend = try RedisClusterTestServer.backend()
        let names = (0..<500).map { "batch-\($0)" }
        for name in names.enumerated() where name.offset % 3 != 0 {
            try await backend.set(self.key(name.element), to: CacheLoad.value(name.element), ttl: .seconds(60))
        }
        let slots = Set(names.map { HashSlot.of(backend.keyLayout.redisKey(self.key($0))) })
        #expect(slots.count > 400, "the keys spread over many slots")
        let values = try await backend.get(names.map(self.key))
        #expect(values.count == names.count)
        for (index, name) in names.enumerated() {
            #expect(values[index] == (index % 3 == 0 ? nil : CacheLoad.value(name)), "\(name)")
        }

        // Keys sharing a tag go out as one MGET.
        let tagged = (0..<20).map { "{user:7}.field\($0)" }
        for name in tagged.prefix(10) {
            try await backend.set(self.key(name), to: CacheLoad.value(name), ttl: .seconds(60))
        }
        let taggedValues = try await backend.get(tagged.map(self.key))
        #expect(taggedValues == tagged.enumerated().map { $0.offset < 10 ? CacheLoad.value($0.element) : nil })
        #expect(try await backend.get([]) == [])
    }

    @Test func namespaceFlushEmptiesTheNamespaceOnEveryMasterAndNothingElse() async throws {
        let backend = try RedisClusterTestServer.backend()
        let doomed = try CacheNamespace("doomed")
        let kept = try CacheNamespace("kept")
        for index in 0..<600 {
            try await backend.set(CacheKey(namespace: doomed, key: "k\(index)"), to: [1], ttl: .seconds(60))
        }
        for index in 0..<50 {
            try await backend.set(CacheKey(namespace: kept, key: "k\(index)"), to: [2], ttl: .seconds(60))
        }
        try await backend.deleteAll(in: doomed)
        let gone = try await backend.get((0..<600).map { CacheKey(namespace: doomed, key: "k\($0)") })
        #expect(gone.allSatisfy { $0 == nil })
        let left = try await backend.get((0..<50).map { CacheKey(namespace: kept, key: "k\($0)") })
        #expect(left.allSatisfy { $0 == [2] })
        // The keys were spread over all three masters (so the flush visited each).
        let masters = Set(
            (0..<600).compactMap {
                backend.topology.node(
                    forSlot: HashSlot.of(backend.keyLayout.redisKey(CacheKey(namespace: doomed, key: "k\($0)"))))
            }.map(\.address))
        #expect(masters.count == 3)
    }

    @Test func theFacadeWorksUnchangedAndSpansNameTheServingNode() async throws {
        let tracer = InMemoryTracer()
        let backend = try RedisClusterTestServer.backend()
        let cache = try Cache(namespace: "spans", backend: backend, configuration: .init(tracer: tracer))
        let names = (0..<30).map { "p:\($0)" }
        for name in names {
            try await cache.putBytes(name, CacheLoad.value(name), ttl: .seconds(30))
            #expect(try await cache.getBytes(name) == CacheLoad.value(name))
        }
        let spans = tracer.finishedSpans
        #expect(spans.count == 60)
        var ports = Set<Int64>()
        for span in spans {
            let attributes = span.attributes
            #expect(span.kind == .client)
            #expect(attributes["db.system.name"]?.toSpanAttribute() == "redis")
            let key = try #require(attributes["cache.key"]?.toSpanAttribute(), "\(span.operationName)")
            guard case .stringArray(let captured) = key,
                let name = captured.first?.split(separator: ":", maxSplits: 1).last,
                case .int64(let port)? = attributes["server.port"]?.toSpanAttribute()
            else {
                Issue.record("span without a key or port: \(attributes)")
                continue
            }
            ports.insert(port)
            #expect(attributes["server.address"]?.toSpanAttribute() == "127.0.0.1")
            #expect(attributes["network.peer.port"]?.toSpanAttribute() == .int64(port))
            // The node named in the span holds the key itself: a direct GET there answers with the value, not MOVED.
            let node = try ClusterNodeAdmin(port: Int(port))
            let direct = try await node.command(
                Array("GET".utf8),
                backend.keyLayout.redisKey(CacheKey(namespace: try CacheNamespace("spans"), key: String(name))))
            #expect(direct == .bulk(CacheLoad.value(String(name))), "\(name) on port \(port)")
        }
        #expect(ports.count == 3, "30 keys reach all three masters")
    }

    @Test func nodeMetricsOnlyWhenAskedFor() async throws {
        let metrics = TestMetrics()
        var configuration = try RedisClusterTestServer.configuration()
        configuration.metricsFactory = metrics
        let backend = try RedisClusterBackend(configuration: configuration)
        let cache = try Cache(namespace: "quiet", backend: backend, configuration: .init(metricsFactory: metrics))
        try await cache.putBytes("k", [1])
        _ = try await cache.getBytes("k")
        #expect(metrics.counters(label: "cache.redis.node.requests").isEmpty)
        #expect(!metrics.counters(label: "cache.requests").isEmpty)
        #expect(metrics.counters.allSatisfy { !$0.dimensions.contains { $0.0 == "node" } })
    }
}
