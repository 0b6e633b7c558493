/// The sampled flag of a W3C `traceparent` header field (`00-<trace id>-<parent id>-<flags>`): `nil` when the field
/// is not one.
enum TraceParent {
    static func sampledFlag(_ field: String) -> Bool? {
        let parts = field.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[1].count == 32, parts[2].count == 16,
            parts[3].count == 2, let flags = UInt8(parts[3], radix: 16)
        else {
            return nil
        }
        return flags & 1 == 1
    }
}
