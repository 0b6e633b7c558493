import HTTPTypes

/// The length a response declares for its body: its `Content-Length` header, else its body's own length.
package enum DeclaredContentLength: Equatable {
    /// Neither says: the body is streamed, and its length is known only at its end.
    case unknown
    case known(Int)
    /// The header is repeated, is not a decimal number, or disagrees with the body's own length: the response
    /// cannot be replayed faithfully.
    case inconsistent

    /// The length declared by `headers` and a body whose own length is `bodyLength` (`nil`: a stream).
    package init(headers: HTTPFields, bodyLength: Int?) {
        let values = headers[values: .contentLength]
        guard let header = values.first else {
            self = bodyLength.map { .known($0) } ?? .unknown
            return
        }
        // One canonical decimal ("5", not "05" or "+5"): what is stored must replay as it was sent.
        guard values.count == 1, let length = Int(header), length >= 0, String(length) == header,
            bodyLength.map({ $0 == length }) ?? true
        else {
            self = .inconsistent
            return
        }
        self = .known(length)
    }
}
