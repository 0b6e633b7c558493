/// A query parameter the order-items endpoint does not accept.
public struct OrderItemsQueryError: Error, Sendable, CustomStringConvertible {
    /// The parameter's name.
    public var parameter: String
    /// The value given.
    public var value: String
    /// What the endpoint accepts there.
    public var expected: String

    public var description: String {
        "bad query parameter \(self.parameter)=\(self.value) (expected \(self.expected))"
    }
}
