import CacheLayerHTTP
import HTTPTypes
import Hummingbird

/// An error from the handler (or the router: no route matched), still thrown as an error for the middleware outside
/// to see, whose response carries `X-Cache` like every other.
struct CacheStatusMarkedError: HTTPResponseError, CustomStringConvertible {
    let originalError: any Error
    let cacheStatus: CacheStatus

    var status: HTTPResponse.Status {
        (self.originalError as? any HTTPResponseError)?.status ?? .internalServerError
    }

    var description: String { "\(self.originalError)" }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response =
            if let error = self.originalError as? any HTTPResponseError {
                try error.response(from: request, context: context)
            } else {
                Response(status: .internalServerError)
            }
        response.headers[.xCache] = self.cacheStatus.rawValue
        return response
    }
}
