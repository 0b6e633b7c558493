// swift-tools-version: 6.1
// Two small servers for scripts/http-hit-bench.sh: each serves the same 12 KB body from memory on `/plain` and
// through CacheLayer's response-cache middleware on `/cached`, one with Hummingbird and one with Vapor. A package of
// its own, so that the library's build does not include them.
import PackageDescription

import struct Foundation.URL

// `.package(path: "../..")` gets its identity from the name of the folder the repository is checked out in.
let cacheLayerPackage = URL(fileURLWithPath: Context.packageDirectory)
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "HTTPHit",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../..", traits: ["VaporSupport"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
    ],
    targets: [
        .executableTarget(
            name: "HummingbirdHitServer",
            dependencies: [
                .product(name: "CacheLayer", package: cacheLayerPackage),
                .product(name: "CacheLayerHummingbird", package: cacheLayerPackage),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "VaporHitServer",
            dependencies: [
                .product(name: "CacheLayer", package: cacheLayerPackage),
                .product(name: "CacheLayerVapor", package: cacheLayerPackage),
                .product(name: "Vapor", package: "vapor"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
