/// How much resident memory a full `MemoryBackend` really uses, compared with its byte budget.
///
/// The tool fills a backend (256 MiB by default, or the budget in MiB given as the only argument) with distinct
/// 1 KiB values under distinct keys until it starts evicting, then writes about 10% more so the store runs in its
/// steady state (full, evicting as it goes). It compares the growth of the process's resident set size (from
/// `/proc/self/statm`) with the budget. Target: growth / budget at most 1.3.
///
///     swift run -c release --package-path Benchmarks MemoryFootprint [budget-MiB]
///
/// Linux only (it reads `/proc`).
import CacheLayer

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

@main
struct MemoryFootprint {
    static let valueSize = 1024

    static func main() async throws {
        let budget = parseBudgetMiB() << 20
        let namespace = try CacheNamespace("footprint")

        let rssBefore = try residentBytes()
        let backend = try MemoryBackend(byteBudget: budget)

        // Fill until the first eviction: the store is then at its budget.
        var written = 0
        while backend.statistics.evictions == 0 {
            try await backend.set(key(namespace, written), to: value(written), ttl: nil)
            written += 1
        }
        let writtenUntilFull = written
        // About 10% more, so the numbers are those of a store that has been evicting for a while.
        for _ in 0..<(writtenUntilFull / 10) {
            try await backend.set(key(namespace, written), to: value(written), ttl: nil)
            written += 1
        }

        let rssAfter = try residentBytes()
        let statistics = backend.statistics
        let growth = rssAfter - rssBefore
        let ratio = Double(growth) / Double(budget)

        let rows: [(String, String)] = [
            ("budget", mebibytes(budget)),
            ("values written", "\(written) x \(valueSize) B (\(writtenUntilFull) until the first eviction)"),
            ("statistics.entries", "\(statistics.entries)"),
            ("statistics.bytes", "\(mebibytes(statistics.bytes)) (\(statistics.bytes) B)"),
            ("statistics.evictions", "\(statistics.evictions)"),
            ("RSS before", mebibytes(rssBefore)),
            ("RSS after", mebibytes(rssAfter)),
            ("RSS growth", mebibytes(growth)),
            ("growth / budget", "\(format(ratio, digits: 3)) (target <= 1.3)"),
        ]
        for (label, value) in rows {
            print(label + ":" + String(repeating: " ", count: 22 - label.count) + value)
        }
        print(
            "SUMMARY budget=\(mebibytes(budget)) entries=\(statistics.entries) bytes=\(mebibytes(statistics.bytes))"
                + " rss_growth=\(mebibytes(growth)) ratio=\(format(ratio, digits: 3))"
                + " \(ratio <= 1.3 ? "OK" : "OVER TARGET") (target <= 1.3)"
        )
        // Keep the backend alive until after the measurement.
        withExtendedLifetime(backend) {}
    }

    /// The budget in MiB: the only argument, or 256.
    static func parseBudgetMiB() -> Int {
        let arguments = CommandLine.arguments.dropFirst()
        guard let argument = arguments.first else { return 256 }
        guard arguments.count == 1, let budgetMiB = Int(argument), budgetMiB > 0 else {
            print("usage: MemoryFootprint [budget-MiB]   (default 256)")
            exit(2)
        }
        return budgetMiB
    }

    /// `item:` and a zero-padded number: distinct keys of 13 bytes (held inline by `String`, no allocation).
    static func key(_ namespace: CacheNamespace, _ number: Int) -> CacheKey {
        let digits = String(number)
        return CacheKey(
            namespace: namespace, key: "item:" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits)
    }

    /// A fresh 1 KiB value, as an application would store: each entry owns its own buffer.
    static func value(_ number: Int) -> [UInt8] {
        [UInt8](repeating: UInt8(truncatingIfNeeded: number), count: valueSize)
    }
}

// MARK: - Resident memory

struct StatmError: Error, CustomStringConvertible {
    let description: String
}

/// The process's resident set size in bytes: the second field of `/proc/self/statm` (pages) times the page size.
func residentBytes() throws -> Int {
    let fd = open("/proc/self/statm", O_RDONLY)
    guard fd >= 0 else { throw StatmError(description: "cannot open /proc/self/statm (errno \(errno))") }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 256)
    let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    guard count > 0 else { throw StatmError(description: "cannot read /proc/self/statm (errno \(errno))") }
    // "size resident shared text lib data dt"
    let fields = String(decoding: buffer[..<count], as: UTF8.self).split(separator: " ")
    guard fields.count >= 2, let residentPages = Int(fields[1]) else {
        throw StatmError(description: "unexpected /proc/self/statm contents")
    }
    return residentPages * sysconf(Int32(_SC_PAGESIZE))
}

// MARK: - Formatting

func mebibytes(_ bytes: Int) -> String {
    "\(format(Double(bytes) / Double(1 << 20), digits: 1)) MiB"
}

/// `value` with `digits` decimals, without Foundation.
func format(_ value: Double, digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let whole = Int(scaled / scale)
    let fraction = String(Int(scaled) % Int(scale))
    let sign = value < 0 ? "-" : ""
    guard digits > 0 else { return sign + String(whole) }
    return sign + String(whole) + "." + String(repeating: "0", count: digits - fraction.count) + fraction
}
