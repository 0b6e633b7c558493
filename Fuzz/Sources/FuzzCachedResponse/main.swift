@testable import CacheLayerHTTP
import FuzzSupport

// Bytes read back from the backend as a cached response: `CachedResponseFormat.decode`, then what the response cache
// does with a hit (its age against the clock, the response head with `X-Cache` and `Age`).
// Invariants besides "no trap": a decoded response encodes to bytes that decode to the same response.

/// The middleware's clock at a plausible Unix-epoch time (2027), in the units `storedAt` is kept in.
let now = Duration.milliseconds(1_800_000_000_000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCachedResponse(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let decoded = try? CachedResponseFormat.decode(bytes) else { return 0 }
    let age = now - decoded.storedAt
    _ = decoded.head(status: .hit, age: age)
    _ = decoded.head(status: .stale, age: age)
    let again: CachedResponse
    do {
        again = try CachedResponseFormat.decode(CachedResponseFormat.encode(decoded))
    } catch {
        fatalError("a decoded response does not decode after encoding: \(error)")
    }
    expect(again == decoded, "a decoded response changes through encode and decode")
    return 0
}
