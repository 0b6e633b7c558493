import CacheLayer
import CacheLayerRedis
@_spi(Benchmarks) import CacheLayerAdvisor

/// Replays traces against a real redis-server at a series of memory budgets and eviction policies.
///
/// For each run it empties the tool's namespace, reads `used_memory` from `INFO memory` (the baseline), sets
/// `maxmemory` to baseline + budget and `maxmemory-policy` to the policy (`allkeys-lru`, `allkeys-lfu`, ...),
/// replays the trace read-through through ``CacheLayerRedis/RedisBackend`` (GET; SET on a miss), and reports the
/// growth of `used_memory` and of `evicted_keys`. Afterwards it puts `maxmemory` and `maxmemory-policy` back as they
/// were and deletes its keys, also when a run fails.
///
/// Requests are sent in windows of ``batchSize``: one MGET for the window's distinct keys, then the SETs of the
/// misses, concurrently. A key repeated within a window counts as a hit after its first request (as it would be,
/// one request after the other) unless its SET failed. Redis evicts by sampling keys at random, so the Redis lines,
/// unlike the memory tier and the optimum, vary a little from run to run.
///
/// It refuses a server holding keys that are not its own (in any database: `allkeys-*` eviction would take them)
/// unless ``allowForeignKeys`` is set, and then the budgets are on top of what those keys use.
public struct RedisTierReplay: Sendable {
    /// The server, as a `redis://` or `unix://` URL (see `RedisBackend.Configuration(url:)`).
    public var url: String
    /// The eviction policies to run, each as its own line.
    public var policies: [String]
    /// Run even when the server holds other keys (which the budgets' eviction may then remove).
    public var allowForeignKeys: Bool
    /// Requests per MGET window.
    public var batchSize: Int
    /// Put in front of every key this tool writes; its namespace is under it.
    public var keyPrefix: String
    /// The namespace of the tool's keys.
    public var namespace: String
    /// Whether SIGINT and SIGTERM during the run restore the server's settings and delete the tool's keys before
    /// the process ends (for the command-line tool; a library caller handles its own signals).
    public var restoresOnInterrupt: Bool

    /// Creates a replay.
    public init(
        url: String,
        policies: [String] = ["allkeys-lru", "allkeys-lfu"],
        allowForeignKeys: Bool = false,
        batchSize: Int = 64,
        keyPrefix: String = "cachelayer-bench:",
        namespace: String = "hitrate",
        restoresOnInterrupt: Bool = false
    ) {
        self.url = url
        self.policies = policies
        self.allowForeignKeys = allowForeignKeys
        self.batchSize = batchSize
        self.keyPrefix = keyPrefix
        self.namespace = namespace
        self.restoresOnInterrupt = restoresOnInterrupt
    }

    /// One measured run.
    public struct Run: Sendable, Hashable {
        /// Which trace (the index into the traces given).
        public var traceIndex: Int
        /// The budget on top of the baseline, in bytes.
        public var budget: Int
        /// The eviction policy.
        public var policy: String
        /// What it measured.
        public var counts: ReplayCounts
    }

    /// What the server is, for the report.
    public struct ServerFacts: Sendable, Hashable {
        /// `redis_version`.
        public var version: String
        /// `maxmemory-samples`: how many keys Redis samples per eviction.
        public var maxmemorySamples: String
        /// The settings found, and restored afterwards.
        public var originalMaxmemory: String
        /// The policy found, and restored afterwards.
        public var originalPolicy: String
    }

    /// Checks the server, runs every trace at every budget with every policy, restores the server's settings.
    /// - Parameter progress: called with a line of text as runs start and finish.
    /// - Throws: ``HitRateLabError`` naming the problem: a bad URL or budget, an unreachable server, foreign keys,
    ///   an error reply.
    public func run(
        traces: [RequestTrace],
        budgets: [Int],
        progress: @Sendable (String) -> Void = { _ in }
    ) async throws(HitRateLabError) -> (facts: ServerFacts, runs: [Run]) {
        guard self.batchSize > 0 else {
            throw HitRateLabError(.invalidArgument, "the Redis batch size must be positive")
        }
        for budget in budgets where budget <= 0 {
            throw HitRateLabError(
                .invalidArgument, "the budget \(budget) is not positive; every budget must be at least 1 byte")
        }
        var configuration: RedisBackend.Configuration
        let namespace: CacheNamespace
        do {
            configuration = try RedisBackend.Configuration(url: self.url)
            namespace = try CacheNamespace(self.namespace)
        } catch {
            throw HitRateLabError(.invalidArgument, error.message)
        }
        configuration.keyPrefix = self.keyPrefix
        configuration.commandTimeout = .seconds(5)
        configuration.connectTimeout = .seconds(2)
        // Closed when released (closing a socket does not block).
        let admin = try await RedisAdminConnection.connect(configuration)

        let version = try await admin.info("server")["redis_version"] ?? "unknown"
        let ownPattern = Self.globEscaped(self.keyPrefix) + "*"
        try await self.checkForeignKeys(admin, ownPattern: ownPattern)
        let facts = ServerFacts(
            version: version,
            maxmemorySamples: try await admin.configGet("maxmemory-samples"),
            originalMaxmemory: try await admin.configGet("maxmemory"),
            originalPolicy: try await admin.configGet("maxmemory-policy")
        )
        progress(
            "redis-server \(facts.version) at \(admin.address); maxmemory \(facts.originalMaxmemory), policy \(facts.originalPolicy) "
                + "(restored afterwards; if interrupted: CONFIG SET maxmemory \(facts.originalMaxmemory) and CONFIG SET maxmemory-policy \(facts.originalPolicy))"
        )

        let backend: RedisBackend
        do {
            backend = try RedisBackend(configuration: configuration)
        } catch {
            throw HitRateLabError(.invalidArgument, error.message)
        }
        defer { backend.shutdown() }

        let interruptGuard =
            self.restoresOnInterrupt
            ? RedisInterruptGuard(
                admin: admin,
                restoreCommands: [
                    ["CONFIG", "SET", "maxmemory", facts.originalMaxmemory],
                    ["CONFIG", "SET", "maxmemory-policy", facts.originalPolicy],
                ],
                keyPattern: ownPattern,
                stopWriters: { backend.shutdown() }
            )
            : nil
        defer { interruptGuard?.cancel() }

        var runs: [Run] = []
        var failure: HitRateLabError?
        do {
            try await self.emptyNamespace(backend, namespace, admin: admin)
            for (traceIndex, trace) in traces.enumerated() {
                for budget in budgets {
                    for policy in self.policies {
                        let counts = try await self.runOnce(
                            trace, budget: budget, policy: policy, backend: backend, namespace: namespace, admin: admin,
                            facts: facts
                        )
                        progress(
                            "  redis \(policy) at \(ByteCount.format(budget)): hit rate \(NumberText.fixed(counts.hitRate * 100, decimals: 2))%"
                        )
                        runs.append(Run(traceIndex: traceIndex, budget: budget, policy: policy, counts: counts))
                    }
                }
            }
        } catch {
            failure = error
        }
        // Put everything back whatever happened; a failure to restore is reported over the run's own failure.
        do {
            try await admin.configSet("maxmemory", facts.originalMaxmemory)
            try await admin.configSet("maxmemory-policy", facts.originalPolicy)
            try await self.emptyNamespace(backend, namespace, admin: admin)
        } catch {
            throw HitRateLabError(
                error.code,
                "\(error.message); the server's settings may not be restored: CONFIG SET maxmemory \(facts.originalMaxmemory), "
                    + "CONFIG SET maxmemory-policy \(facts.originalPolicy)"
            )
        }
        if let failure { throw failure }
        return (facts, runs)
    }

    /// Refuses a server that holds keys outside the tool's prefix, unless allowed.
    private func checkForeignKeys(_ admin: RedisAdminConnection, ownPattern: String) async throws(HitRateLabError) {
        let perDatabase = try await admin.keysInAllDatabases()
        let total = perDatabase.values.reduce(0, +)
        guard total > 0, !self.allowForeignKeys else { return }
        let own = try await admin.countKeys(matching: ownPattern)
        let foreign = total - own
        guard foreign > 0 else { return }
        let listing = perDatabase.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        throw HitRateLabError(
            .foreignKeys,
            "the Redis server at \(admin.address) holds \(foreign) keys that are not this tool's (\(listing)); "
                + "with maxmemory and an allkeys-* policy it would evict them. Use an empty server "
                + "(scripts/lib/redis-server.sh starts a throwaway one), or pass --allow-foreign-keys to accept that"
        )
    }

    private func emptyNamespace(
        _ backend: RedisBackend, _ namespace: CacheNamespace, admin: RedisAdminConnection
    ) async throws(HitRateLabError) {
        do {
            try await backend.deleteAll(in: namespace)
        } catch {
            throw HitRateLabError(
                .redisUnavailable, "cannot delete the tool's keys on \(admin.address): \(error.message)")
        }
    }

    private func runOnce(
        _ trace: RequestTrace,
        budget: Int,
        policy: String,
        backend: RedisBackend,
        namespace: CacheNamespace,
        admin: RedisAdminConnection,
        facts: ServerFacts
    ) async throws(HitRateLabError) -> ReplayCounts {
        try await self.emptyNamespace(backend, namespace, admin: admin)
        try await admin.configSet("maxmemory", facts.originalMaxmemory)
        let baseline = try await admin.infoInteger("memory", "used_memory")
        let evictedBefore = try await admin.infoInteger("stats", "evicted_keys")
        try await admin.configSet("maxmemory-policy", policy)
        try await admin.configSet("maxmemory", String(baseline + budget))

        let keys = trace.keys.map { CacheKey(namespace: namespace, key: $0) }
        var values = ValueBuffers()
        var hits = 0
        var errors = 0
        var start = 0
        let requests = trace.requests
        while start < requests.count {
            let window = requests[start..<min(requests.count, start + self.batchSize)]
            start = window.endIndex
            // The window's distinct keys, in first-seen order.
            var firstSeen: [Int32: Int] = [:]
            var distinct: [Int32] = []
            for request in window where request.isCacheable && firstSeen[request.key] == nil {
                firstSeen[request.key] = distinct.count
                distinct.append(request.key)
            }
            guard !distinct.isEmpty else { continue }
            let found: [[UInt8]?]
            do {
                found = try await backend.get(distinct.map { keys[Int($0)] })
            } catch {
                throw HitRateLabError(
                    .redisUnavailable, "MGET on \(admin.address) failed at request \(start): \(error.message)")
            }
            // SET every missing key once, concurrently (the backend pipelines them).
            var stored = [Bool](repeating: true, count: distinct.count)
            var missing: [(slot: Int, key: CacheKey, value: [UInt8], ttl: Duration?)] = []
            for request in window where request.isCacheable {
                let slot = firstSeen[request.key]!
                if found[slot] == nil && !missing.contains(where: { $0.slot == slot }) {
                    let ttl = request.ttlMilliseconds > 0 ? Duration.milliseconds(request.ttlMilliseconds) : nil
                    missing.append((slot, keys[Int(request.key)], values.value(of: Int(request.size)), ttl))
                }
            }
            let failedSlots = await withTaskGroup(of: Int?.self) { group in
                for item in missing {
                    group.addTask {
                        do {
                            try await backend.set(item.key, to: item.value, ttl: item.ttl)
                            return nil
                        } catch {
                            return item.slot
                        }
                    }
                }
                var failed: [Int] = []
                for await slot in group {
                    if let slot { failed.append(slot) }
                }
                return failed
            }
            for slot in failedSlots { stored[slot] = false }
            errors += failedSlots.count
            // Count: a first request hits if MGET found it; a repeat hits if the key is there by then.
            var counted = Set<Int>()
            for request in window where request.isCacheable {
                let slot = firstSeen[request.key]!
                let isFirst = counted.insert(slot).inserted
                if isFirst ? found[slot] != nil : (found[slot] != nil || stored[slot]) {
                    hits += 1
                }
            }
        }
        let used = try await admin.infoInteger("memory", "used_memory")
        let evictedAfter = try await admin.infoInteger("stats", "evicted_keys")
        try await admin.configSet("maxmemory", facts.originalMaxmemory)
        try await admin.configSet("maxmemory-policy", facts.originalPolicy)
        return ReplayCounts(
            requests: requests.count,
            hits: hits,
            bytesUsed: used - baseline,
            evictions: evictedAfter - evictedBefore,
            errors: errors
        )
    }

    /// `text` with the glob characters SCAN MATCH gives a meaning to escaped.
    static func globEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "*?[]\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
