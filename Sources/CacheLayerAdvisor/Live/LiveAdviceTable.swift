/// The live advisor's recommendations as a table for a terminal.
public enum LiveAdviceTable {
    /// One line per endpoint, most origin time saved first, then the budget used.
    public static func text(_ advice: LiveAdvice) -> String {
        var cells = [
            ["boundary", "recommended", "req/min", "origin ms", "memory", "predicted miss rate", "saved s/min"]
        ]
        for recommendation in advice.recommendations {
            cells.append([
                recommendation.boundary,
                recommendation.candidate?.name ?? "do not cache",
                NumberText.short(recommendation.requestsPerMinute, decimals: 1),
                NumberText.short(recommendation.originMilliseconds, decimals: 1),
                ByteCount.format(recommendation.allottedBytes),
                NumberText.fixed(recommendation.predictedMissRate * 100, decimals: 1) + "%",
                NumberText.fixed(recommendation.savedMillisecondsPerMinute / 1000, decimals: 1),
            ])
        }
        return TextTable.aligned(cells, rightAligned: [2, 3, 4, 5, 6])
            + "\n\n\(ByteCount.format(advice.allottedBytes)) of \(ByteCount.format(advice.budget)) allotted."
    }
}
