// swift-tools-version: 6.1
// Benchmarks for CacheLayer, kept in a package of their own so the library itself does not depend on the
// benchmark harness (or its malloc interposer). See README.md beside this file for how to run them.
import PackageDescription

import struct Foundation.URL

// `.package(path: "../")` gets its identity from the name of the folder the repository is checked out in, so the
// product reference below must use that name rather than a fixed "CacheLayer" (a clone into any folder works).
let cacheLayerPackage = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "CacheLayerBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../"),
        // The malloc interposer trait gives the mallocCountTotal metric; it is the only trait enabled.
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // The micro-benchmark suite, run by `swift package benchmark`. The benchmark plugin discovers executable
        // targets whose folder sits directly inside a folder named `Benchmarks`.
        .executableTarget(
            name: "CacheLayerBenchmarks",
            dependencies: [
                .product(name: "CacheLayer", package: cacheLayerPackage),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Benchmarks/CacheLayerBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        ),
        // Resident memory of a full MemoryBackend compared with its byte budget: `swift run -c release MemoryFootprint`.
        // It lives outside `Benchmarks/` on purpose: the benchmark plugin would take any executable there for a
        // benchmark suite and fail to run it.
        .executableTarget(
            name: "MemoryFootprint",
            dependencies: [
                .product(name: "CacheLayer", package: cacheLayerPackage)
            ],
            path: "Sources/MemoryFootprint"
        ),
        // The facade's cost over the memory backend, and read scaling from 1 task to 2 against a shared-nothing
        // control, in interleaved rounds: `swift run -c release MemoryTierRatios facade|scaling`. Outside
        // `Benchmarks/` for the same reason as MemoryFootprint.
        .executableTarget(
            name: "MemoryTierRatios",
            dependencies: [
                .product(name: "CacheLayer", package: cacheLayerPackage),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Sources/MemoryTierRatios"
        ),
        // Plain hiredis loops in C (sequential and pipelined GET/SET): the floor RedisThroughput compares the Redis
        // backend with. Debian's libhiredis-dev 0.14.1, the same library CacheLayerRedis uses.
        .target(
            name: "CHiredisBaseline",
            path: "Sources/CHiredisBaseline",
            linkerSettings: [.linkedLibrary("hiredis")]
        ),
        // The Redis backend against the C baseline on one server: `swift run -c release RedisThroughput` with
        // CACHELAYER_REDIS_URL set (see README.md). Outside `Benchmarks/` for the same reason as MemoryFootprint.
        .executableTarget(
            name: "RedisThroughput",
            dependencies: [
                "CHiredisBaseline",
                .product(name: "CacheLayer", package: cacheLayerPackage),
                .product(name: "CacheLayerRedis", package: cacheLayerPackage),
            ],
            path: "Sources/RedisThroughput"
        ),
        // The two-tier backend against a plain memory hit and against Redis alone, in interleaved rounds:
        // `swift run -c release TwoTierRatios hit|mix <redis-url>`. Outside `Benchmarks/` for the same reason as
        // MemoryFootprint.
        .executableTarget(
            name: "TwoTierRatios",
            dependencies: [
                .product(name: "CacheLayer", package: cacheLayerPackage),
                .product(name: "CacheLayerRedis", package: cacheLayerPackage),
                "HitRateLab",
            ],
            path: "Sources/TwoTierRatios"
        ),
        // What tags and guarded loads cost on memory and Redis, in interleaved rounds: `swift run -c release TagCost`
        // with CACHELAYER_REDIS_URL set (see README.md). Outside `Benchmarks/` for the same reason as MemoryFootprint.
        .executableTarget(
            name: "TagCost",
            dependencies: [
                .product(name: "CacheLayer", package: cacheLayerPackage),
                .product(name: "CacheLayerRedis", package: cacheLayerPackage),
            ],
            path: "Sources/TagCost"
        ),
        // What deciding a request costs (CacheBoundaries.decide over an order-items mix), in interleaved rounds:
        // `swift run -c release KeyRuleCost`. Outside `Benchmarks/` for the same reason as MemoryFootprint.
        .executableTarget(
            name: "KeyRuleCost",
            dependencies: [
                .product(name: "CacheLayer", package: cacheLayerPackage)
            ],
            path: "Sources/KeyRuleCost"
        ),
        // A blocking hiredis connection for CONFIG GET/SET, INFO and SCAN, which the cache backend does not send:
        // the hit-rate tool sets Redis's maxmemory and policy per run and reads its memory.
        .target(
            name: "CRedisAdmin",
            path: "Sources/CRedisAdmin",
            linkerSettings: [.linkedLibrary("hiredis")]
        ),
        // Workloads (Zipf, pagination, CSV traces), replays against Redis, Belady's optimum, CSV and SVG output:
        // everything `cachelayer-bench` does, as a testable library. The memory-tier replay, request traces and text
        // helpers it shares with the boundary advisor live in the root package's CacheLayerAdvisor.
        .target(
            name: "HitRateLab",
            dependencies: [
                "CRedisAdmin",
                .product(name: "CacheLayer", package: cacheLayerPackage),
                .product(name: "CacheLayerAdvisor", package: cacheLayerPackage),
                .product(name: "CacheLayerRedis", package: cacheLayerPackage),
            ],
            path: "Sources/HitRateLab"
        ),
        // `swift run -c release cachelayer-bench hitrate|pagination-log ...` (see README.md). Outside `Benchmarks/`
        // for the same reason as MemoryFootprint.
        .executableTarget(
            name: "cachelayer-bench",
            dependencies: [
                "HitRateLab",
                .product(name: "CacheLayer", package: cacheLayerPackage),
                .product(name: "CacheLayerAdvisor", package: cacheLayerPackage),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/CacheLayerBench"
        ),
        .testTarget(
            name: "HitRateLabTests",
            dependencies: [
                "HitRateLab",
                .product(name: "CacheLayer", package: cacheLayerPackage),
                .product(name: "CacheLayerAdvisor", package: cacheLayerPackage),
            ],
            path: "Tests/HitRateLabTests"
        ),
    ],
    swiftLanguageModes: [.v6]
)
