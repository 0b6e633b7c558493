/// The middle value (the mean of the two middle ones for an even count).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// `value` rounded to `digits` decimals, as text.
func format(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    return "\((value * scale).rounded() / scale)"
}

/// `median (range min–max)` of `values`, each rounded to `digits` decimals.
func summary(_ values: [Double], _ digits: Int) -> String {
    "median \(format(median(values), digits)) (range \(format(values.min()!, digits))–\(format(values.max()!, digits)))"
}
