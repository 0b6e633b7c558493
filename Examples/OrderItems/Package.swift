// swift-tools-version: 6.1
// The order-items example server: a Hummingbird 2 app over a real SQLite database, cached with CacheLayer's
// response-cache middleware at the boundary the seed article recommends, a traffic replayer and the report the
// README's main job prints. A package of its own, so the library does not depend on GRDB, swift-otel or
// ArgumentParser. See README.md beside this file.
import PackageDescription

import struct Foundation.URL

// `.package(path: "../..")` gets its identity from the name of the folder the repository is checked out in, so the
// product references below use that name rather than a fixed "CacheLayer" (a clone into any folder works).
let cacheLayerPackage = URL(fileURLWithPath: Context.packageDirectory)
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "OrderItems",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "order-items", targets: ["OrderItemsCommand"])
    ],
    dependencies: [
        .package(path: "../.."),
        // No default traits: the server needs neither swift-configuration support nor full Foundation.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        // OTLP over HTTP only: the gRPC exporter (and its dependencies) is not built.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.30.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
    ],
    targets: [
        // The database, the server, the traffic replayer and the report: a library, so the smoke test drives the
        // same code the command runs.
        .target(
            name: "OrderItems",
            dependencies: [
                .product(name: "CacheLayer", package: cacheLayerPackage),
                .product(name: "CacheLayerRedis", package: cacheLayerPackage),
                .product(name: "CacheLayerHummingbird", package: cacheLayerPackage),
                // The health monitor the replay's scenarios run (Sources/OrderItems/Scenarios/).
                .product(name: "CacheLayerHealth", package: cacheLayerPackage),
                // The traffic replayer's seeded random source, so that a replay is reproducible.
                .product(name: "CacheLayerTesting", package: cacheLayerPackage),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // `swift run order-items [--serve]`: the application, the one place that bootstraps global telemetry.
        .executableTarget(
            name: "OrderItemsCommand",
            dependencies: [
                "OrderItems",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // Keeps every trace of the chosen routes and a ratio of the rest (Telemetry.swift).
                .product(name: "CacheLayerSampling", package: cacheLayerPackage),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ]
        ),
        .testTarget(
            name: "OrderItemsSmokeTests",
            dependencies: [
                "OrderItems",
                .product(name: "CacheLayer", package: cacheLayerPackage),
                .product(name: "CacheLayerSampling", package: cacheLayerPackage),
                .product(name: "CacheLayerRedis", package: cacheLayerPackage),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
