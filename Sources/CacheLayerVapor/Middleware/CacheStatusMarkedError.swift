#if VaporSupport
import CacheLayerHTTP
import NIOHTTP1
import Vapor

/// An error from the handler (or the router: no route matched), still thrown for the middleware outside (Vapor's
/// `ErrorMiddleware`) to turn into a response, which carries `X-Cache` like every other.
///
/// An `AbortError` keeps its status, reason and headers; any other error answers 500 with the status's own reason
/// phrase, so that its message does not reach the client (as `ErrorMiddleware` does in production).
struct CacheStatusMarkedError: AbortError, CustomStringConvertible {
    let originalError: any Error
    let cacheStatus: CacheStatus

    var status: HTTPResponseStatus {
        (self.originalError as? any AbortError)?.status ?? .internalServerError
    }

    var reason: String {
        (self.originalError as? any AbortError)?.reason ?? HTTPResponseStatus.internalServerError.reasonPhrase
    }

    var headers: HTTPHeaders {
        var headers = (self.originalError as? any AbortError)?.headers ?? [:]
        headers.replaceOrAdd(name: "X-Cache", value: self.cacheStatus.rawValue)
        return headers
    }

    var description: String { "\(self.originalError)" }
}
#endif
