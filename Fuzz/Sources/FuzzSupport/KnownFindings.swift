#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether harnesses step around findings that are known and being fixed (`FUZZ_SKIP_KNOWN=1`, which
/// `scripts/fuzz.sh --skip-known` sets), so a long run on a commit that still has them can look for new ones. Each
/// place that checks this names the finding; delete the check once the fix has landed.
public let skipsKnownFindings: Bool = getenv("FUZZ_SKIP_KNOWN").map { String(cString: $0) == "1" } ?? false
