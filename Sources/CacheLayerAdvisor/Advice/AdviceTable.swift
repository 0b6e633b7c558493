/// The advisor's table, for a terminal and as CSV.
public enum AdviceTable {
    /// The table, the recommendation and the reason.
    public static func text(_ advice: BoundaryAdvisor.Advice, budget: Int) -> String {
        let header = ["", "boundary", "cached", "miss rate", "memory", "fits", "miss rate at budget"]
        let lines = advice.candidates.enumerated().map { index, candidate in
            [
                index == advice.recommended ? "->" : "",
                candidate.name,
                NumberText.fixed(candidate.cachedShare * 100, decimals: 1) + "%",
                NumberText.fixed(candidate.missRate * 100, decimals: 1) + "%",
                ByteCount.format(candidate.memoryNeeded),
                candidate.fits ? "yes" : "no",
                NumberText.fixed(candidate.missRateAtBudget * 100, decimals: 1) + "%",
            ]
        }
        let chosen = advice.candidates[advice.recommended]
        let filters = chosen.commonFilters.keys.sorted().map {
            "\($0)=\(chosen.commonFilters[$0]!.joined(separator: "|"))"
        }.joined(separator: " ")
        return TextTable.aligned([header] + lines, rightAligned: [2, 3, 4, 6]) + """


            Recommended for \(ByteCount.format(budget)): \(chosen.name) (\(filters.isEmpty ? "no filters" : filters)): \
            miss rate \(NumberText.fixed(chosen.missRate * 100, decimals: 1))%, \(ByteCount.format(chosen.memoryNeeded)).
            Why: \(advice.reason).
            """ + Self.evictionNote(advice, budget: budget)
    }

    /// A line about the boundary that misses less with eviction, when there is one.
    private static func evictionNote(_ advice: BoundaryAdvisor.Advice, budget: Int) -> String {
        guard let index = advice.lowerMissRateWithEviction else { return "" }
        let candidate = advice.candidates[index]
        let rate = NumberText.fixed(candidate.missRateAtBudget * 100, decimals: 1)
        return
            "\nWith the memory tier evicting at \(ByteCount.format(budget)), \(candidate.name) misses less: \(rate)% "
            + "(its responses need \(ByteCount.format(candidate.memoryNeeded)), so the cache would evict)."
    }

    /// One CSV line per candidate.
    public static func csv(_ advice: BoundaryAdvisor.Advice) -> String {
        var text =
            "highest_cached_page,filter_values,cached_share,miss_rate,memory_bytes,fits,miss_rate_at_budget,recommended\n"
        for (index, candidate) in advice.candidates.enumerated() {
            text +=
                [
                    String(candidate.highestCachedPage), candidate.filterValues.map(String.init) ?? "all",
                    NumberText.fixed(candidate.cachedShare, decimals: 6),
                    NumberText.fixed(candidate.missRate, decimals: 6),
                    String(candidate.memoryNeeded), candidate.fits ? "true" : "false",
                    NumberText.fixed(candidate.missRateAtBudget, decimals: 6),
                    index == advice.recommended ? "true" : "false",
                ].joined(separator: ",") + "\n"
        }
        return text
    }
}
