// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "CacheLayer",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "CacheLayer", targets: ["CacheLayer"]),
        .library(name: "CacheLayerRedis", targets: ["CacheLayerRedis"]),
        .library(name: "CacheLayerYAML", targets: ["CacheLayerYAML"]),
        // Later: CacheLayerHummingbird (middleware), a target of its own.
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
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
        // Debian's libhiredis-dev 0.14.1 (scripts/test.sh and scripts/quickstart.sh install it when missing).
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
        .testTarget(
            name: "CacheLayerTests",
            dependencies: [
                "CacheLayer",
                "CacheLayerYAML",
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "CacheLayerRedisTests",
            dependencies: [
                "CacheLayer",
                "CacheLayerRedis",
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
