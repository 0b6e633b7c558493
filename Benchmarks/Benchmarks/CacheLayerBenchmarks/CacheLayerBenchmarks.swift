/// CacheLayer micro-benchmarks, all in one suite so their ratios come from one run on one machine.
///
/// What is compared (every benchmark reads or writes the same 10,000 keys shaped like `user:00001234`, each with
/// its own 100-byte value, in a store with a 64 MiB budget so that hits stay hits):
///
/// - `Baseline Mutex<[String:[UInt8]]> get hit` / `put`: the floor, a plain dictionary behind one
///   `Synchronization.Mutex`. `Memory get hit` and `Memory put` divided by them (time per operation) are the cost of
///   the eviction policy, TTL and sharding. Targets: at most 1.5x for a get, 2x for a put.
/// - `Memory get hit` / `Memory get miss` / `Memory put`: `MemoryBackend` called directly with `CacheKey` values
///   built up front.
/// - `Facade get hit (nothing bootstrapped)`: `Cache.getBytes` over the same kind of backend, with no tracer,
///   metrics or logging set up. Target: at most 1.05x the time of `Memory get hit`.
/// - `Facade get hit (tracer: NoOpTracer)`: the same with tracing switched off in the configuration, which skips the
///   per-call lookup of the global tracer (a task-local read and a reader lock inside swift-distributed-tracing).
/// - `Facade get hit (in-memory tracer)`: the same with an `InMemoryTracer`, so every read records a span.
/// - `Facade put`, `Facade getOrLoad hit`: writes of raw bytes, and read-through of a small `Codable` struct
///   (JSON codec) that is always found.
/// - `Memory get hit, 1 task` / `Memory get hit, 2 tasks`: the same total number of reads done by one child task
///   or split between two, each child on a thread of its own (see ``readerExecutors``); the throughput ratio shows
///   how reads scale across cores. Target: 2 tasks at least 1.6x the throughput of 1 task.
///
/// Each measured iteration does `scalingFactor` operations, and the results are reported per operation.
import Benchmark
import CacheLayer
import Dispatch
import Foundation
import InMemoryTracing
import Tracing
import Synchronization

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .cpuTotal, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 10,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )
    // The scaling pair runs many more operations per iteration, so that starting the child tasks is a negligible
    // part of what is measured.
    let scalingConfiguration = Benchmark.Configuration(scalingFactor: .mega, maxDuration: .seconds(3))

    // MARK: Baseline

    Benchmark("Baseline Mutex<[String:[UInt8]]> get hit") { benchmark, fixture in
        var cursor = KeyCursor(benchmark, count: fixture.keys.count)
        var hits = 0
        for _ in benchmark.scaledIterations {
            let key = fixture.keys[cursor.next()]
            let value = fixture.store.withLock { $0[key] }
            if value != nil { hits &+= 1 }
            blackHole(value)
        }
        expect(hits, benchmark.scaledIterations.count, "hits", benchmark)
    } setup: {
        BaselineFixture()
    }

    Benchmark("Baseline Mutex<[String:[UInt8]]> put") { benchmark, fixture in
        // Overwrites keys that are already there, as `Memory put` does.
        var cursor = KeyCursor(benchmark, count: fixture.keys.count)
        for _ in benchmark.scaledIterations {
            let index = cursor.next()
            fixture.store.withLock { $0[fixture.keys[index]] = Workload.values[index] }
        }
    } setup: {
        BaselineFixture()
    }

    // MARK: MemoryBackend, called directly

    Benchmark("Memory get hit") { benchmark, fixture in
        var cursor = KeyCursor(benchmark, count: fixture.keys.count)
        var hits = 0
        for _ in benchmark.scaledIterations {
            let value = try await fixture.backend.get(fixture.keys[cursor.next()])
            if value != nil { hits &+= 1 }
            blackHole(value)
        }
        expect(hits, benchmark.scaledIterations.count, "hits", benchmark)
    } setup: {
        try await MemoryFixture.make()
    }

    Benchmark("Memory get miss") { benchmark, fixture in
        var cursor = KeyCursor(benchmark, count: fixture.missingKeys.count)
        var misses = 0
        for _ in benchmark.scaledIterations {
            let value = try await fixture.backend.get(fixture.missingKeys[cursor.next()])
            if value == nil { misses &+= 1 }
            blackHole(value)
        }
        expect(misses, benchmark.scaledIterations.count, "misses", benchmark)
    } setup: {
        try await MemoryFixture.make()
    }

    Benchmark("Memory put") { benchmark, fixture in
        // Overwrites keys that are already there: the steady state of a warm cache, with no eviction.
        var cursor = KeyCursor(benchmark, count: fixture.keys.count)
        for _ in benchmark.scaledIterations {
            let index = cursor.next()
            try await fixture.backend.set(fixture.keys[index], to: fixture.values[index], ttl: nil)
        }
    } setup: {
        try await MemoryFixture.make()
    }

    // MARK: Cache facade

    Benchmark("Facade get hit (nothing bootstrapped)") { benchmark, fixture in
        let hits = try await readEveryKey(benchmark, through: fixture.cache, keys: fixture.keys)
        expect(hits, benchmark.scaledIterations.count, "hits", benchmark)
    } setup: {
        try await FacadeFixture.make()
    }

    Benchmark("Facade get hit (tracer: NoOpTracer)") { benchmark, fixture in
        let hits = try await readEveryKey(benchmark, through: fixture.cache, keys: fixture.keys)
        expect(hits, benchmark.scaledIterations.count, "hits", benchmark)
    } setup: {
        try await FacadeFixture.make(tracer: NoOpTracer())
    }

    Benchmark("Facade get hit (in-memory tracer)") { benchmark, fixture in
        let hits = try await readEveryKey(benchmark, through: fixture.cache, keys: fixture.keys)
        // Drop this iteration's spans (one per read) so the tracer does not grow for the whole run. Freeing them is
        // part of what a span costs, so it stays inside the measurement.
        (fixture.tracer as? InMemoryTracer)?.clearFinishedSpans()
        expect(hits, benchmark.scaledIterations.count, "hits", benchmark)
    } setup: {
        try await FacadeFixture.make(tracer: InMemoryTracer())
    }

    Benchmark("Facade put") { benchmark, fixture in
        var cursor = KeyCursor(benchmark, count: fixture.keys.count)
        for _ in benchmark.scaledIterations {
            let index = cursor.next()
            try await fixture.cache.putBytes(fixture.keys[index], fixture.values[index], ttl: nil)
        }
    } setup: {
        try await FacadeFixture.make()
    }

    Benchmark("Facade getOrLoad hit") { benchmark, fixture in
        var cursor = KeyCursor(benchmark, count: fixture.keys.count)
        for _ in benchmark.scaledIterations {
            let key = fixture.keys[cursor.next()]
            // Every key was stored in setup, so the loader never runs; if it does, the benchmark fails.
            let profile = try await fixture.cache.getOrLoad(key: key, ttl: nil, as: UserProfile.self) {
                throw UnexpectedMiss(key: key)
            }
            blackHole(profile)
        }
    } setup: {
        try await FacadeFixture.make(storing: UserProfile.init)
    }

    // MARK: Concurrency scaling

    Benchmark("Memory get hit, 1 task", configuration: scalingConfiguration) { benchmark, fixture in
        let hits = await readConcurrently(fixture, tasks: 1, totalReads: benchmark.scaledIterations.count, benchmark)
        expect(hits, benchmark.scaledIterations.count, "hits", benchmark)
    } setup: {
        try await MemoryFixture.make()
    }

    Benchmark("Memory get hit, 2 tasks", configuration: scalingConfiguration) { benchmark, fixture in
        let hits = await readConcurrently(fixture, tasks: 2, totalReads: benchmark.scaledIterations.count, benchmark)
        expect(hits, benchmark.scaledIterations.count, "hits", benchmark)
    } setup: {
        try await MemoryFixture.make()
    }

    // The control for the scaling pair: the same split of reads over the same threads, but each task reads a
    // dictionary of its own and shares nothing. Its 2-task/1-task ratio is what this machine gives two threads of
    // perfectly parallel work; the memory tier's ratio is judged against it.
    Benchmark("Control private dictionary get, 1 task", configuration: scalingConfiguration) { benchmark, fixture in
        let hits = await readPrivately(fixture, tasks: 1, totalReads: benchmark.scaledIterations.count)
        expect(hits, benchmark.scaledIterations.count, "hits", benchmark)
    } setup: {
        PrivateDictionariesFixture()
    }

    Benchmark("Control private dictionary get, 2 tasks", configuration: scalingConfiguration) { benchmark, fixture in
        let hits = await readPrivately(fixture, tasks: 2, totalReads: benchmark.scaledIterations.count)
        expect(hits, benchmark.scaledIterations.count, "hits", benchmark)
    } setup: {
        PrivateDictionariesFixture()
    }
}

// MARK: - Workload

/// The keys and values every benchmark uses.
enum Workload {
    static let keyCount = 10_000
    static let valueSize = 100
    /// Far more than the ~3 MB the workload costs, so nothing is ever evicted.
    static let byteBudget = 64 << 20
    static let namespace = "bench"

    /// `user:00000000` to `user:00009999`: 13 bytes, the shape of a typical application key.
    static let keys: [String] = (0..<keyCount).map { key(prefix: "user:", $0) }
    /// Keys of the same shape that are never stored.
    static let missingKeys: [String] = (0..<keyCount).map { key(prefix: "miss:", $0) }
    /// A 100-byte value per key, never starting with 0xCA: the facade reads such bytes stored straight into the
    /// backend as one of its framed values (see MemoryTierRatios' Workload).
    static let values: [[UInt8]] = (0..<keyCount).map {
        [UInt8](repeating: UInt8(truncatingIfNeeded: $0 % 200), count: valueSize)
    }

    /// `prefix` followed by `number` zero-padded to 8 digits.
    static func key(prefix: String, _ number: Int) -> String {
        let digits = String(number)
        return prefix + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}

/// Walks the key indices in order, continuing where the previous iteration stopped so that every key is read
/// equally often and no iteration re-reads a handful of hot keys.
struct KeyCursor {
    private var index: Int
    private let count: Int

    init(_ benchmark: Benchmark, count: Int) {
        self.count = count
        self.index = (benchmark.currentIteration &* benchmark.scaledIterations.count) % count
    }

    mutating func next() -> Int {
        let current = self.index
        self.index += 1
        if self.index == self.count { self.index = 0 }
        return current
    }
}

/// Reads `scaledIterations` keys through the facade, walking the key space with a ``KeyCursor``; returns the hits.
func readEveryKey(_ benchmark: Benchmark, through cache: Cache, keys: [String]) async throws -> Int {
    var cursor = KeyCursor(benchmark, count: keys.count)
    var hits = 0
    for _ in benchmark.scaledIterations {
        let value = try await cache.getBytes(keys[cursor.next()])
        if value != nil { hits &+= 1 }
        blackHole(value)
    }
    return hits
}

/// Marks the benchmark failed when a run did not see the expected number of hits (or misses).
func expect(_ actual: Int, _ expected: Int, _ what: String, _ benchmark: Benchmark) {
    if actual != expected {
        benchmark.error("expected \(expected) \(what), got \(actual)")
    }
}

// MARK: - Fixtures

/// The baseline: the workload in a `[String: [UInt8]]` behind a single `Mutex`.
final class BaselineFixture: Sendable {
    let keys = Workload.keys
    let store: Mutex<[String: [UInt8]]>

    init() {
        var entries: [String: [UInt8]] = [:]
        entries.reserveCapacity(Workload.keyCount)
        for (key, value) in zip(Workload.keys, Workload.values) {
            entries[key] = value
        }
        self.store = Mutex(entries)
    }
}

/// A `MemoryBackend` holding the whole workload, with every `CacheKey` built up front.
struct MemoryFixture: Sendable {
    let backend: MemoryBackend
    let keys: [CacheKey]
    let missingKeys: [CacheKey]
    let values = Workload.values

    static func make() async throws -> MemoryFixture {
        let namespace = try CacheNamespace(Workload.namespace)
        let fixture = MemoryFixture(
            backend: try MemoryBackend(byteBudget: Workload.byteBudget),
            keys: Workload.keys.map { CacheKey(namespace: namespace, key: $0) },
            missingKeys: Workload.missingKeys.map { CacheKey(namespace: namespace, key: $0) }
        )
        for (key, value) in zip(fixture.keys, fixture.values) {
            try await fixture.backend.set(key, to: value, ttl: nil)
        }
        let statistics = fixture.backend.statistics
        guard statistics.entries == Workload.keyCount, statistics.evictions == 0 else {
            throw SetupFailure(
                "the backend holds \(statistics.entries) entries after \(statistics.evictions) evictions")
        }
        return fixture
    }
}

/// A `Cache` over a `MemoryBackend` holding the whole workload under the same key strings as ``MemoryFixture``.
struct FacadeFixture: Sendable {
    let cache: Cache
    let backend: MemoryBackend
    let tracer: (any Tracer)?
    let keys = Workload.keys
    let values = Workload.values

    /// A cache holding the workload's 100-byte values; `tracer` records its spans, and none is set up otherwise.
    static func make(tracer: (any Tracer)? = nil) async throws -> FacadeFixture {
        let fixture = try FacadeFixture(tracer: tracer)
        for (key, value) in zip(fixture.keys, fixture.values) {
            try await fixture.cache.putBytes(key, value, ttl: nil)
        }
        return try fixture.checked()
    }

    /// A cache holding, under each key, the typed value `makeValue` returns for the key's index.
    static func make<Value: Encodable>(storing makeValue: (Int) -> Value) async throws -> FacadeFixture {
        let fixture = try FacadeFixture(tracer: nil)
        for (index, key) in fixture.keys.enumerated() {
            try await fixture.cache.put(key, value: makeValue(index), ttl: nil)
        }
        return try fixture.checked()
    }

    private init(tracer: (any Tracer)?) throws {
        self.backend = try MemoryBackend(byteBudget: Workload.byteBudget)
        self.cache = try Cache(
            namespace: Workload.namespace,
            backend: self.backend,
            configuration: Cache.Configuration(tracer: tracer)
        )
        self.tracer = tracer
    }

    /// Checks that every key was stored, and drops the spans of the writes that stored them.
    private func checked() throws -> FacadeFixture {
        (self.tracer as? InMemoryTracer)?.clearFinishedSpans()
        let statistics = self.backend.statistics
        guard statistics.entries == Workload.keyCount, statistics.evictions == 0 else {
            throw SetupFailure(
                "the backend holds \(statistics.entries) entries after \(statistics.evictions) evictions")
        }
        return self
    }
}

/// The small typed value of the read-through benchmark: about 90 bytes of JSON.
struct UserProfile: Codable, Sendable {
    var id: Int
    var name: String
    var email: String
    var isActive: Bool

    init(_ id: Int) {
        self.id = id
        self.name = "User \(id)"
        self.email = "user\(id)@example.com"
        self.isActive = id % 2 == 0
    }
}

struct UnexpectedMiss: Error {
    let key: String
}

struct SetupFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

// MARK: - Concurrency

/// The threads the scaling pair's child tasks run on, one per task.
///
/// The harness runs an async benchmark in a task and blocks a thread of Swift's cooperative pool until it is done.
/// The pool has one thread per core, so on a 2-core machine only one pool thread is left and two child tasks on
/// the pool would take turns on it. Giving each child its own thread (a task executor preference) lets them really
/// run side by side; the threads wait idle between iterations.
let readerExecutors = [DedicatedThreadExecutor(name: "reader-0"), DedicatedThreadExecutor(name: "reader-1")]

/// Reads `totalReads` keys from `fixture.backend`, split evenly between `tasks` child tasks that each walk their
/// own stretch of the key space, each on its own thread. Returns the number of hits.
func readConcurrently(_ fixture: MemoryFixture, tasks: Int, totalReads: Int, _ benchmark: Benchmark) async -> Int {
    precondition(tasks <= readerExecutors.count)
    let readsPerTask = totalReads / tasks
    let keyCount = fixture.keys.count
    let firstIndex = (benchmark.currentIteration &* totalReads) % keyCount
    return await withTaskGroup(of: Int.self, returning: Int.self) { group in
        for task in 0..<tasks {
            let start = (firstIndex + task * keyCount / tasks) % keyCount
            group.addTask(executorPreference: readerExecutors[task]) {
                var index = start
                var hits = 0
                for _ in 0..<readsPerTask {
                    let value = try? await fixture.backend.get(fixture.keys[index])
                    if value != nil { hits &+= 1 }
                    blackHole(value)
                    index += 1
                    if index == keyCount { index = 0 }
                }
                return hits
            }
        }
        return await group.reduce(0, +)
    }
}

/// One `[String: [UInt8]]` per reader thread, each built separately (its own keys and value buffers), so readers
/// share no memory at all.
final class PrivateDictionariesFixture: Sendable {
    let keys: [[String]]
    let stores: [[String: [UInt8]]]

    init() {
        var keys: [[String]] = []
        var stores: [[String: [UInt8]]] = []
        for _ in readerExecutors {
            let ownKeys = (0..<Workload.keyCount).map { Workload.key(prefix: "user:", $0) }
            var store: [String: [UInt8]] = [:]
            store.reserveCapacity(Workload.keyCount)
            for (index, key) in ownKeys.enumerated() {
                store[key] = [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: Workload.valueSize)
            }
            keys.append(ownKeys)
            stores.append(store)
        }
        self.keys = keys
        self.stores = stores
    }
}

/// Reads `totalReads` keys split between `tasks` child tasks, each reading only its own dictionary, each on its
/// own thread (as ``readConcurrently(_:tasks:totalReads:_:)`` does). Returns the number of hits.
func readPrivately(_ fixture: PrivateDictionariesFixture, tasks: Int, totalReads: Int) async -> Int {
    let readsPerTask = totalReads / tasks
    return await withTaskGroup(of: Int.self, returning: Int.self) { group in
        for task in 0..<tasks {
            group.addTask(executorPreference: readerExecutors[task]) {
                let keys = fixture.keys[task]
                let store = fixture.stores[task]
                var index = 0
                var hits = 0
                for _ in 0..<readsPerTask {
                    let value = store[keys[index]]
                    if value != nil { hits &+= 1 }
                    blackHole(value)
                    index += 1
                    if index == keys.count { index = 0 }
                }
                return hits
            }
        }
        return await group.reduce(0, +)
    }
}

/// A task executor that runs every job it is given on one thread of its own, in order.
final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs` is only touched under its mutex, and `ready` is thread-safe.
    private let jobs = Mutex<[UnownedJob]>([])
    private let ready = DispatchSemaphore(value: 0)

    /// Starts the thread. It runs for the rest of the process and keeps the executor alive.
    init(name: String) {
        let thread = Thread { self.run() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.jobs.withLock { $0.append(job) }
        self.ready.signal()
    }

    private func run() {
        while true {
            self.ready.wait()
            let job = self.jobs.withLock { $0.removeFirst() }
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
