import CacheLayerYAML
import Testing

@testable import CacheLayer

/// Every number in a boundaries file is checked: a value that is not finite, not positive, too large or not an
/// integer where one is expected is an `invalid_configuration` error naming the field, never a trap. A `ttl` of
/// `1e17` seconds trapped converting to `Int64` milliseconds.
@Suite("Numbers in boundary files")
struct BoundaryFileNumberTests {
    static func file(ttl: String = "60", extra: String = "") -> String {
        #"{"endpoints": [{"name": "a", "path": "/a", "ttl": \#(ttl)\#(extra)}]}"#
    }

    func error(_ json: String) -> CacheError? {
        #expect(throws: CacheError.self) { try CacheBoundaries(json: Array(json.utf8)) }
    }

    @Test func aHugeTTLInSecondsIsAnErrorNamingTheField() throws {
        let error = self.error(Self.file(ttl: "1e17"))
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("endpoints[0].ttl") == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        (#""1e17s""#, "ttl"), (#""1e300h""#, "ttl"), (#""infs""#, "ttl"), (#""nans""#, "ttl"), ("-1", "ttl"),
        ("0", "ttl"),
        (#""0.0001s""#, "ttl"), ("1e-9", "ttl"),
    ])
    func aTTLOutOfRangeIsAnErrorNamingTheField(ttl: String, field: String) throws {
        let error = self.error(Self.file(ttl: ttl))
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains(field) == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        (#", "grace": 1e17"#, "grace"),
        (#", "grace": "1e20ms""#, "grace"),
        (#", "stampede": {"lock": {"lease": 1e18}}"#, "lease"),
        (#", "stampede": {"lock": {"maximum_wait": "1e17s"}}"#, "maximum_wait"),
        (#", "jitter": 1.5"#, "jitter"),
        (#", "jitter": -0.5"#, "jitter"),
        (#", "early_refresh_beta": 0"#, "beta"),
        (#", "early_refresh_beta": 1e999"#, "early_refresh_beta"),
        (#", "pagination": {"highest_cached_page": 1.5}"#, "highest_cached_page"),
        (#", "pagination": {"highest_cached_page": 1e30}"#, "highest_cached_page"),
        (#", "pagination": {"highest_cached_page": -3}"#, "highest_cached_page"),
    ])
    func otherNumbersOutOfRangeAreErrorsNamingTheField(extra: String, field: String) throws {
        let error = self.error(Self.file(extra: extra))
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains(field) == true, "\(String(describing: error))")
    }

    @Test func aHugeTTLInYAMLIsAnErrorNamingTheField() throws {
        let error = #expect(throws: CacheError.self) {
            try CacheBoundaries(yaml: "endpoints:\n  - name: a\n    path: /a\n    ttl: 1e17\n")
        }
        #expect(error?.message.contains("ttl") == true, "\(String(describing: error))")
        for ttl in [".inf", ".nan", "-.inf"] {
            #expect(throws: CacheError.self) {
                try CacheBoundaries(yaml: "endpoints:\n  - name: a\n    path: /a\n    ttl: \(ttl)\n")
            }
        }
    }

    @Test func theLongestDurationAFileMayGiveIsAccepted() throws {
        let boundaries = try CacheBoundaries(
            json: Array(Self.file(ttl: #""876000h""#, extra: #", "grace": "1h""#).utf8))
        #expect(boundaries.endpoints.first?.ttl == .seconds(876_000 * 3_600))
    }
}
