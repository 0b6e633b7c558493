import CacheLayer
import FuzzSupport

// A boundaries file in JSON. Invariants besides "no trap": a file either loads or is refused with
// `invalid_configuration`; the boundaries it loads decide requests to each endpoint's own path without trapping, and
// a `.cache` key is never empty.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBoundaryJSON(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let boundaries: CacheBoundaries
    do {
        boundaries = try CacheBoundaries(json: Array(UnsafeRawBufferPointer(start: start, count: count)))
    } catch {
        expect(error.code == .invalidConfiguration, "a bad file threw \(error.code), not invalid_configuration")
        return 0
    }
    decideSamples(boundaries)
    return 0
}
