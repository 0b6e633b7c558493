/// The server stopped before it listened.
public struct ServerStartError: Error, CustomStringConvertible {
    public var description: String { "the server stopped before it was listening" }
}
