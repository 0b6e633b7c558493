// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "CacheLayer",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "CacheLayer", targets: ["CacheLayer"]),
        .library(name: "CacheLayerRedis", targets: ["CacheLayerRedis"]),
        .library(name: "CacheLayerYAML", targets: ["CacheLayerYAML"]),
        .library(name: "CacheLayerHTTP", targets: ["CacheLayerHTTP"]),
        .library(name: "CacheLayerHummingbird", targets: ["CacheLayerHummingbird"]),
        .library(name: "CacheLayerVapor", targets: ["CacheLayerVapor"]),
        .library(name: "CacheLayerAdvisor", targets: ["CacheLayerAdvisor"]),
        .library(name: "CacheLayerHealth", targets: ["CacheLayerHealth"]),
        .library(name: "CacheLayerSampling", targets: ["CacheLayerSampling"]),
        .library(name: "CacheLayerTesting", targets: ["CacheLayerTesting"]),
        .executable(name: "cachelayer-advise", targets: ["CacheLayerAdviseCommand"]),
    ],
    traits: [
        // Off by default: Vapor's build (swift-crypto, NIO-SSL, AsyncHTTPClient, ...) is paid only by those who enable
        // it, in their package's dependency (`traits: ["VaporSupport"]`) or with `swift build --traits VaporSupport`.
        .trait(
            name: "VaporSupport",
            description: "CacheLayerVapor: a Vapor 4 cache driver and response-cache middleware"
        )
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        // No default traits: the middleware needs neither swift-configuration support nor full Foundation.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // Built only with the VaporSupport trait.
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        // `swift package generate-documentation` (scripts/docs.sh); a plugin, so nothing links it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        .target(
            name: "CacheLayer",
            dependencies: [
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Debian's libhiredis-dev 0.14.1 (scripts/test.sh and scripts/order-items.sh install it when missing).
        .systemLibrary(
            name: "CHiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .target(
            name: "CacheLayerRedis",
            dependencies: [
                "CacheLayer",
                "CHiredis",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Cache boundaries from YAML files: its own target, so only users who want YAML build Yams.
        .target(
            name: "CacheLayerYAML",
            dependencies: [
                "CacheLayer",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The response cache without a framework: which responses are stored, their stored format, the read-through
        // with `X-Cache`/`Age`, the spans and metrics. The framework middlewares are thin adapters over it.
        .target(
            name: "CacheLayerHTTP",
            dependencies: [
                "CacheLayer",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                // Both frameworks' bodies are ByteBuffers: a hit hands the stored one over without a copy.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The Hummingbird response-cache middleware: its own target, so only users who serve with Hummingbird build it.
        .target(
            name: "CacheLayerHummingbird",
            dependencies: [
                "CacheLayer",
                "CacheLayerHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Vapor 4: a driver for `app.caches` and the response-cache middleware over CacheLayerHTTP. Without the
        // VaporSupport trait it builds empty and Vapor is not built at all.
        .target(
            name: "CacheLayerVapor",
            dependencies: [
                "CacheLayer",
                "CacheLayerHTTP",
                .product(name: "Vapor", package: "vapor", condition: .when(traits: ["VaporSupport"])),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Test doubles for users' tests (a manual clock, a seeded random source, a backend that can be told to fail or
        // stall): a product of its own, so that they are not part of the core's API.
        .target(
            name: "CacheLayerTesting",
            dependencies: ["CacheLayer"]
        ),
        // The pagination boundary advisor: reads a request log, replays candidate boundaries through the memory tier
        // and recommends one for a memory budget. The Benchmarks package's hit-rate lab builds on its replay.
        .target(
            name: "CacheLayerAdvisor",
            dependencies: ["CacheLayer"]
        ),
        // The cache health monitor: a service that learns each boundary's miss rate from CacheLayer's own counters and
        // reports anomalies with their likely cause. Its own target, so only users who run it build swift-service-lifecycle
        // into their cache.
        .target(
            name: "CacheLayerHealth",
            dependencies: [
                "CacheLayer",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // A tracer wrapper that keeps every trace of chosen operations and a ratio of the others: on top of any tracer
        // (swift-otel's sampler protocol is not public). Needs nothing of CacheLayer but its documentation.
        .target(
            name: "CacheLayerSampling",
            dependencies: [
                .product(name: "Tracing", package: "swift-distributed-tracing")
            ]
        ),
        // `cachelayer-advise`, the advisor's command line.
        .executableTarget(
            name: "CacheLayerAdviseCommand",
            dependencies: [
                "CacheLayerAdvisor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "QuickStart",
            dependencies: ["CacheLayer"],
            path: "Examples/QuickStart"
        ),
        // A process of the distributed-lock tests: RedisLockTests runs four of them at once against one Redis.
        .executableTarget(
            name: "LockContender",
            dependencies: ["CacheLayer", "CacheLayerRedis"],
            path: "Tests/LockContender"
        ),
        // A process of the two-tier staleness tests: TwoTierStalenessTests runs four of them at once.
        .executableTarget(
            name: "TwoTierContender",
            dependencies: ["CacheLayer", "CacheLayerRedis"],
            path: "Tests/TwoTierContender"
        ),
        // A second process of the tag tests: reads and loads a tagged entry while the test process invalidates it.
        .executableTarget(
            name: "TagProbe",
            dependencies: ["CacheLayer", "CacheLayerRedis"],
            path: "Tests/TagProbe"
        ),
        // Probes the test targets share (a gate that holds loaders, a run counter).
        .target(
            name: "CacheLayerTestSupport",
            path: "Tests/CacheLayerTestSupport"
        ),
        // The response-cache behaviour every framework adapter must have: cases the Hummingbird and Vapor tests
        // both run against their own application.
        .target(
            name: "ResponseCacheConformance",
            dependencies: [
                "CacheLayer", "CacheLayerTesting", "CacheLayerTestSupport",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            path: "Tests/ResponseCacheConformance"
        ),
        .testTarget(
            name: "CacheLayerTests",
            dependencies: [
                "CacheLayer",
                "CacheLayerTestSupport",
                "CacheLayerTesting",
                "CacheLayerYAML",
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "CacheLayerHummingbirdTests",
            dependencies: [
                "CacheLayer",
                // The persist driver's test over a real redis-server.
                "CacheLayerRedis",
                "CacheLayerTestSupport",
                "CacheLayerTesting",
                "CacheLayerHTTP",
                "CacheLayerHummingbird",
                "ResponseCacheConformance",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                // A raw HTTP/1.1 connection that reads a streamed response as it arrives (the streaming tests).
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                // The key-capture check of the response cache's own log lines.
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Empty without the VaporSupport trait. scripts/test.sh builds them with the trait in a scratch path of their
        // own (.build-vapor), in the background while the other tests run; by hand:
        // `swift test --traits VaporSupport --scratch-path .build-vapor --filter CacheLayerVaporTests`.
        .testTarget(
            name: "CacheLayerVaporTests",
            dependencies: [
                "CacheLayer",
                "CacheLayerTesting",
                "CacheLayerVapor",
                "ResponseCacheConformance",
                .product(name: "Vapor", package: "vapor", condition: .when(traits: ["VaporSupport"])),
                .product(name: "VaporTesting", package: "vapor", condition: .when(traits: ["VaporSupport"])),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "CacheLayerRedisTests",
            dependencies: [
                "CacheLayer",
                "CacheLayerRedis",
                "CacheLayerTesting",
                "CacheLayerTestSupport",
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(
            name: "CacheLayerHealthTests",
            dependencies: [
                "CacheLayer",
                "CacheLayerHealth",
                "CacheLayerTesting",
                "CacheLayerTestSupport",
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "CacheLayerSamplingTests",
            dependencies: [
                "CacheLayer",
                "CacheLayerSampling",
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(
            name: "CacheLayerAdvisorTests",
            dependencies: [
                "CacheLayerTestSupport", "CacheLayer", "CacheLayerAdvisor", "CacheLayerTesting",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
