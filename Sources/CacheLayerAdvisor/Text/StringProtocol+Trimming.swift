extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks. Shared with the Benchmarks package
    /// (`@_spi(Benchmarks)`), not API.
    @_spi(Benchmarks)
    public func trimmingWhitespace() -> Substring {
        let text = Substring(self)
        guard let first = text.firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = text.lastIndex(where: { !$0.isWhitespace })!
        return text[first...last]
    }
}
