extension ReportText {
    /// `25.3 s`.
    public static func seconds(_ duration: Duration) -> String {
        let (whole, attoseconds) = duration.components
        return Self.fixed(Double(whole) + Double(attoseconds) / 1e18, digits: 1) + " s"
    }
}
