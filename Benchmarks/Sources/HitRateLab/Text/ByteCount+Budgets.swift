import CacheLayerAdvisor

extension ByteCount {
    /// Parses a comma-separated list of positive byte counts (budgets), refusing zero.
    public static func parseBudgets(_ text: String) throws(HitRateLabError) -> [Int] {
        var budgets: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let budget = try HitRateLabError.mapping { () throws(AdvisorError) in
                try Self.parse(String(part), what: "the budget")
            }
            guard budget > 0 else {
                throw HitRateLabError(
                    .invalidArgument, "the budget '\(part)' is zero; every budget must be at least 1 byte")
            }
            budgets.append(budget)
        }
        guard !budgets.isEmpty else { throw HitRateLabError(.invalidArgument, "no budget given") }
        return budgets
    }
}
