import Foundation

/// The staleness windows of a run of `TwoTierContender` processes, from their output files.
///
/// A write's window is how long after its `put` returned some process still began a read that returned an older
/// version of the key (zero when none did). A read is stale if it began after a newer version's put returned.
struct StalenessReport: CustomStringConvertible {
    var writes = 0
    var windows: [UInt64] = []
    /// Writes whose window is longer than the bound checked (see ``staleBeyond(_:)``).
    var reads = 0
    var errors = 0

    init(files: [String], outputs: [String]) throws {
        var returned: [Int: [Int: UInt64]] = [:]
        var latestRead: [Int: [Int: UInt64]] = [:]
        for file in files {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ")
                guard parts.count == 4, let key = Int(parts[1]), let version = Int(parts[2]),
                    let time = UInt64(parts[3])
                else { continue }
                if parts[0] == "W" {
                    returned[key, default: [:]][version] = time
                } else {
                    latestRead[key, default: [:]][version] = max(time, latestRead[key, default: [:]][version] ?? 0)
                }
            }
        }
        for output in outputs {
            for field in output.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
                if field.hasPrefix("reads="), let count = Int(field.dropFirst(6)) { self.reads += count }
                if field.hasPrefix("errors="), let count = Int(field.dropFirst(7)) { self.errors += count }
            }
        }
        for (key, writes) in returned {
            let reads = latestRead[key] ?? [:]
            // Walk the versions in order, keeping the latest start of a read of any older version.
            let versions = Set(writes.keys).union(reads.keys).sorted()
            var latestOlderRead: UInt64 = 0
            for version in versions {
                if let returnedAt = writes[version] {
                    self.writes += 1
                    self.windows.append(latestOlderRead > returnedAt ? latestOlderRead - returnedAt : 0)
                }
                if let read = reads[version] {
                    latestOlderRead = max(latestOlderRead, read)
                }
            }
        }
        self.windows.sort()
    }

    /// The window at quantile `q` (0...1), in nanoseconds.
    func quantile(_ q: Double) -> UInt64 {
        guard !self.windows.isEmpty else { return 0 }
        return self.windows[min(self.windows.count - 1, Int(Double(self.windows.count) * q))]
    }

    var maximum: UInt64 { self.windows.last ?? 0 }

    /// How many writes had an older version read more than `bound` after they returned.
    func staleBeyond(_ bound: Duration) -> Int {
        let limit =
            UInt64(bound.components.seconds) * 1_000_000_000 + UInt64(bound.components.attoseconds / 1_000_000_000)
        return self.windows.filter { $0 > limit }.count
    }

    var description: String {
        func ms(_ nanoseconds: UInt64) -> String { String(format: "%.3f ms", Double(nanoseconds) / 1e6) }
        let stale = self.windows.filter { $0 > 0 }.count
        return
            "reads=\(self.reads) writes=\(self.writes) errors=\(self.errors) writes with a window > 0: \(stale) p50=\(ms(self.quantile(0.5))) p99=\(ms(self.quantile(0.99))) p99.9=\(ms(self.quantile(0.999))) max=\(ms(self.maximum))"
    }
}
