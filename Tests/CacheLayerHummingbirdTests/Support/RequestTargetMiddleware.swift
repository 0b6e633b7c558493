import HTTPTypes
import Hummingbird

/// Sets the scheme and authority of a request from `X-Test-Scheme` and `X-Test-Authority` (`-`: no authority) and
/// removes those headers: HummingbirdTesting's router client always sends `http` and `localhost`, and a live server
/// takes them from the connection and the `Host` line. Added before the cache, so the cache and the handler see
/// the rewritten request.
struct RequestTargetMiddleware<Context: RequestContext>: RouterMiddleware {
    static var scheme: HTTPField.Name { HTTPField.Name("X-Test-Scheme")! }
    static var authority: HTTPField.Name { HTTPField.Name("X-Test-Authority")! }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var head = request.head
        if let scheme = head.headerFields[Self.scheme] {
            head.scheme = scheme
            head.headerFields[Self.scheme] = nil
        }
        if let authority = head.headerFields[Self.authority] {
            head.authority = authority == "-" ? nil : authority
            head.headerFields[Self.authority] = nil
        }
        return try await next(Request(head: head, body: request.body), context)
    }
}
