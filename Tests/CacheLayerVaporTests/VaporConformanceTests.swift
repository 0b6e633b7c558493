#if VaporSupport
import CacheLayer
import CacheLayerVapor
import NIOCore
import ResponseCacheConformance
import Testing
import Vapor
import VaporTesting

/// The response-cache behaviour every framework adapter shares (``ResponseCacheConformance``), through Vapor's
/// in-memory test client. The Hummingbird tests run the same cases.
@Suite("Response cache conformance: Vapor")
struct VaporConformanceTests {
    @Test(arguments: ConformanceCase.all)
    func conforms(_ conformanceCase: ConformanceCase) async throws {
        let fixture = try ConformanceFixture(cancelsHandlers: false)
        try await withApp { app in
            try Self.configure(app, fixture)
            let tester = try app.testing()
            try await conformanceCase.run(fixture) { request in
                var headers = HTTPHeaders()
                for (name, value) in request.headers { headers.add(name: name, value: value) }
                let response = try await tester.sendRequest(
                    HTTPMethod(rawValue: request.method), request.target, headers: headers)
                return ConformanceResponse(
                    status: Int(response.status.code),
                    headers: response.headers.map { (name: $0.name, value: $0.value) },
                    body: response.body.getString(at: response.body.readerIndex, length: response.body.readableBytes)
                        ?? ""
                )
            }
        }
    }

    /// The fixture's routes behind Vapor's middleware.
    static func configure(_ app: Application, _ fixture: ConformanceFixture) throws {
        app.middleware.use(
            try ResponseCacheMiddleware(
                cache: fixture.cache,
                boundaries: fixture.boundaries,
                configuration: .init(
                    maximumBodySize: ConformanceFixture.maximumBodySize,
                    userID: { request in request.headers.first(name: ConformanceFixture.userHeader) }
                )
            ))
        let runs = fixture.runs
        let outage = fixture.outage
        for route in ConformanceFixture.routes {
            let path = route.path.split(separator: "/").map { PathComponent(stringLiteral: String($0)) }
            app.on(HTTPMethod(rawValue: route.method), path) { request async throws -> Response in
                runs.increment()
                switch outage.failure {
                case .throwing: throw ConformanceOutage.HandlerFailed()
                case .throwingStatus(let code): throw Abort(HTTPResponseStatus(statusCode: code))
                case .status(let code):
                    return Response(
                        status: HTTPResponseStatus(statusCode: code),
                        body: .init(string: ConformanceOutage.serverErrorBody))
                case .stalling: try await Task.sleep(for: ConformanceOutage.stallDuration)
                case nil: break
                }
                var headers = HTTPHeaders()
                for (name, value) in route.headers { headers.add(name: name, value: value) }
                let body = route.body(runs.count) { name in
                    name.hasPrefix(":")
                        ? request.parameters.get(String(name.dropFirst())) : request.headers.first(name: name)
                }
                return Response(
                    status: HTTPResponseStatus(statusCode: route.status), headers: headers,
                    body: .init(string: body))
            }
        }
    }
}
#endif
