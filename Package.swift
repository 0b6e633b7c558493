// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "CacheLayer",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "CacheLayer", targets: ["CacheLayer"])
        // Later: CacheLayerRedis (hiredis), CacheLayerHummingbird (middleware), each a target of its own.
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
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
        .executableTarget(
            name: "QuickStart",
            dependencies: ["CacheLayer"],
            path: "Examples/QuickStart"
        ),
        .testTarget(
            name: "CacheLayerTests",
            dependencies: [
                "CacheLayer",
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
