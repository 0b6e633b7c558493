import Foundation
import HitRateLab
import Testing

@Suite("Hit-rate CSV and chart")
struct HitRateOutputTests {
    private func csv(seed: UInt64) async throws -> (csv: String, rows: [HitRateRow]) {
        let trace = try ZipfWorkload(
            keyCount: 500, skew: 1.0, requestCount: 10_000, valueSize: .uniform(10...2000), seed: seed
        ).trace()
        let experiment = HitRateExperiment(
            workload: "zipf", variants: [.init(name: "", trace: trace)], budgets: [256 << 10, 64 << 10, 1 << 20])
        let rows = try await experiment.run().rows
        return (HitRateCSV.text(rows), rows)
    }

    @Test("the same inputs and seed give the same CSV; another seed gives another")
    func deterministic() async throws {
        let first = try await self.csv(seed: 7).csv
        let second = try await self.csv(seed: 7).csv
        let other = try await self.csv(seed: 8).csv
        #expect(first == second)
        #expect(first != other)
    }

    @Test("one row per tier and budget, budgets ascending, with the header's columns")
    func rowShape() async throws {
        let (csv, rows) = try await self.csv(seed: 1)
        let lines = csv.split(separator: "\n")
        #expect(
            lines.first
                == "workload,variant,tier,policy,budget_bytes,capacity_objects,requests,hits,hit_rate,bytes_used,evictions,errors"
        )
        #expect(lines.count == 1 + 12)
        #expect(rows.map(\.tier) == Array(repeating: .memory, count: 9) + Array(repeating: .optimum, count: 3))
        #expect(
            rows.prefix(9).map(\.policy) == [
                "w-tinylfu", "w-tinylfu", "w-tinylfu", "s3-fifo", "s3-fifo", "s3-fifo", "second-chance",
                "second-chance", "second-chance",
            ])
        #expect(rows.prefix(3).map(\.budget) == [64 << 10, 256 << 10, 1 << 20])
        for line in lines.dropFirst() {
            #expect(line.split(separator: ",", omittingEmptySubsequences: false).count == HitRateCSV.columns.count)
        }
        for start in [0, 3, 6] {
            for (memory, optimum) in zip(rows[start..<(start + 3)], rows.suffix(3)) {
                #expect(
                    optimum.counts.hits >= memory.counts.hits, "optimum under \(memory.policy) at \(memory.budget)")
            }
        }
    }

    @Test("the chart has labelled axes with units, a legend entry and a line per series")
    func chart() async throws {
        let (_, rows) = try await self.csv(seed: 1)
        let svg = HitRateChart.svg(rows, title: "Zipf <test>")
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("hit rate (% of requests)"))
        #expect(svg.contains("memory budget (bytes, shown in KiB/MiB/GiB; log scale)"))
        #expect(svg.contains(">memory w-tinylfu</text>"))
        #expect(svg.contains(">memory s3-fifo</text>"))
        #expect(svg.contains(">memory second-chance</text>"))
        #expect(svg.contains(">optimum (Belady)</text>"))
        #expect(svg.contains("Zipf &lt;test&gt;"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 4)  // three policies and the optimum
    }
}
