/// What the invalidation rules say about one request (``CacheBoundaries/invalidation(for:)``): the rules that
/// match, and the tags to invalidate if its response is a success.
public struct TagInvalidation: Sendable {
    /// The names of the matching rules, in order.
    public let rules: [String]
    /// The tags built from the request, each once.
    public let tags: [String]
    /// How many of the rules' templates could not be built from the request (missing values), and are skipped.
    public let skippedTemplates: Int

    /// Creates an invalidation.
    public init(rules: [String], tags: [String], skippedTemplates: Int) {
        self.rules = rules
        self.tags = tags
        self.skippedTemplates = skippedTemplates
    }

    /// Whether a response with status `code` invalidates: a 2xx.
    public static func invalidates(status code: Int) -> Bool {
        (200...299).contains(code)
    }
}
