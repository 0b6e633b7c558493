import HTTPTypes

/// A handler's answer with a server-error status (5xx), thrown to the read-through as a failed load when the
/// endpoint's policy keeps stale responses (``CacheLayer/LoadPolicy/maximumStaleAge``): the read-through then serves
/// the stored response in its place (stale if error). When there is none to serve, the response cache catches it and
/// sends the handler's response as it is.
package struct ServerErrorAnswer<Response: Sendable>: Error, CustomStringConvertible {
    /// The handler's response.
    package let response: Response
    /// Its status.
    package let status: HTTPResponse.Status

    package var description: String { "the handler answered \(self.status.code) \(self.status.reasonPhrase)" }
}
