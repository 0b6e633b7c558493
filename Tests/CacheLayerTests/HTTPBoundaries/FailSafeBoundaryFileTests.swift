import CacheLayerYAML
import Testing

@testable import CacheLayer

/// Stale-if-error and loader timeouts in boundary files: read into the endpoint's `LoadPolicy`, refused with the
/// field named when inconsistent.
@Suite("Fail-safe settings in boundary files")
struct FailSafeBoundaryFileTests {
    func json(_ fields: String) -> [UInt8] {
        Array(#"{"endpoints": [{"name": "orders", "path": "/orders", "ttl": "60s", \#(fields)}]}"#.utf8)
    }

    @Test func jsonFieldsReachTheLoadPolicy() throws {
        let boundaries = try CacheBoundaries(
            json: self.json(
                #""maximum_stale_age": "1h", "fail_safe_throttle": "10s", "soft_timeout": "200ms", "hard_timeout": "2s""#
            ))
        let policy = try #require(boundaries.endpoints.first).loadPolicy
        #expect(policy.maximumStaleAge == .seconds(3_600))
        #expect(policy.failSafeThrottle == .seconds(10))
        #expect(policy.softTimeout == .milliseconds(200))
        #expect(policy.hardTimeout == .seconds(2))
    }

    @Test func yamlFieldsReachTheLoadPolicy() throws {
        let boundaries = try CacheBoundaries(
            yaml: """
                endpoints:
                  - name: orders
                    path: /orders
                    ttl: 60s
                    maximum_stale_age: 10m
                    hard_timeout: 3s
                """)
        let policy = try #require(boundaries.endpoints.first).loadPolicy
        #expect(policy.maximumStaleAge == .seconds(600))
        #expect(policy.hardTimeout == .seconds(3))
        #expect(policy.softTimeout == nil && policy.failSafeThrottle == .seconds(30))
    }

    @Test(arguments: [
        (
            #""maximum_stale_age": "1h", "soft_timeout": "3s", "hard_timeout": "2s""#,
            "endpoints[0]: soft_timeout (3.0 seconds) must be shorter than hard_timeout (2.0 seconds)"
        ),
        (#""soft_timeout": "1s""#, "endpoints[0]: soft_timeout needs maximum_stale_age"),
        (
            #""maximum_stale_age": "1h", "soft_timeout": "2s", "hard_timeout": "2s""#,
            "must be shorter than hard_timeout"
        ),
    ])
    func inconsistentSettingsAreRefusedWithTheFieldNamed(fields: String, message: String) {
        let error = #expect(throws: CacheError.self) { try CacheBoundaries(json: self.json(fields)) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }

    @Test func yamlRefusesTheSameWay() {
        let error = #expect(throws: CacheError.self) {
            try CacheBoundaries(
                yaml: "endpoints:\n  - name: a\n    path: /a\n    ttl: 1s\n    soft_timeout: 1s\n    hard_timeout: 5s\n"
            )
        }
        #expect(error?.message.contains("soft_timeout needs maximum_stale_age") == true, "\(error?.message ?? "")")
    }

    @Test func aMisspeltFieldIsRefused() {
        let error = #expect(throws: CacheError.self) {
            try CacheBoundaries(json: self.json(#""maximum_stale": "1h""#))
        }
        #expect(error?.message.contains("maximum_stale") == true, "\(error?.message ?? "")")
    }
}
