// swift-tools-version: 6.1
// libFuzzer harnesses for CacheLayer's decoders of untrusted input, kept in a package of their own so that the
// library's build and its test run do not compile them. Build and run them with `scripts/fuzz.sh` (see README.md
// beside this file); each harness is an executable whose `main` comes from libFuzzer (`--sanitize=fuzzer`).
import PackageDescription

import struct Foundation.URL

// `.package(path: "../")` gets its identity from the name of the folder the repository is checked out in, so the
// product references below must use that name rather than a fixed "CacheLayer" (a clone into any folder works).
let cacheLayerPackage = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "CacheLayerFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../")
    ],
    targets: [
        // What every harness shares: `expect` (an invariant check that keeps its message in release builds) and the
        // sample decisions both boundary-file harnesses make.
        .target(name: "FuzzSupport", dependencies: [.product(name: "CacheLayer", package: cacheLayerPackage)]),
        // Stored bytes read back through `Cache.readThrough` with a grace period and early refresh: the freshness
        // header's read side.
        .executableTarget(
            name: "FuzzFreshnessHeader",
            dependencies: [
                "FuzzSupport",
                .product(name: "CacheLayer", package: cacheLayerPackage),
                .product(name: "CacheLayerTesting", package: cacheLayerPackage),
            ]
        ),
        // Bytes read back from the backend as a cached HTTP response (`CachedResponseFormat.decode`, internal:
        // reached with `@testable import`, so the build passes `-enable-testing`).
        .executableTarget(
            name: "FuzzCachedResponse",
            dependencies: ["FuzzSupport", .product(name: "CacheLayerHTTP", package: cacheLayerPackage)]
        ),
        // A boundaries file in JSON: `CacheBoundaries(json:)`, then a few decisions over what it loaded.
        .executableTarget(
            name: "FuzzBoundaryJSON",
            dependencies: ["FuzzSupport", .product(name: "CacheLayer", package: cacheLayerPackage)]
        ),
        // A boundaries file in YAML: `CacheBoundaries(yaml:)`, then a few decisions over what it loaded.
        .executableTarget(
            name: "FuzzBoundaryYAML",
            dependencies: [
                "FuzzSupport",
                .product(name: "CacheLayer", package: cacheLayerPackage),
                .product(name: "CacheLayerYAML", package: cacheLayerPackage),
            ]
        ),
        // `RedisBackend.Configuration(url:)`: parsing only, nothing connects.
        .executableTarget(
            name: "FuzzRedisURL",
            dependencies: [
                "FuzzSupport",
                .product(name: "CacheLayer", package: cacheLayerPackage),
                .product(name: "CacheLayerRedis", package: cacheLayerPackage),
            ]
        ),
        // A request in a small text form, decided by `CacheBoundaries.decide` over fixed endpoints.
        .executableTarget(
            name: "FuzzRequestDecision",
            dependencies: ["FuzzSupport", .product(name: "CacheLayer", package: cacheLayerPackage)]
        ),
    ],
    swiftLanguageModes: [.v6]
)
