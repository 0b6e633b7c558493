import CacheLayer
import CacheLayerHummingbird
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ResponseCacheConformance
import Testing

/// The response-cache behaviour every framework adapter shares (``ResponseCacheConformance``), through
/// Hummingbird's router test client. The Vapor tests run the same cases.
@Suite("Response cache conformance: Hummingbird")
struct HummingbirdConformanceTests {
    @Test(arguments: ConformanceCase.all)
    func conforms(_ conformanceCase: ConformanceCase) async throws {
        let fixture = try ConformanceFixture()
        try await Self.application(fixture).test(.router) { client in
            try await conformanceCase.run(fixture) { request in
                var headers = HTTPFields()
                for (name, value) in request.headers { headers.append(HTTPField(name: .init(name)!, value: value)) }
                let response = try await client.execute(
                    uri: request.target, method: HTTPRequest.Method(request.method)!, headers: headers)
                return ConformanceResponse(
                    status: response.status.code,
                    headers: response.headers.map { (name: $0.name.canonicalName, value: $0.value) },
                    body: String(buffer: response.body)
                )
            }
        }
    }

    /// The fixture's routes behind Hummingbird's middleware.
    static func application(_ fixture: ConformanceFixture) throws -> some ApplicationProtocol {
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.add(
            middleware: try ResponseCacheMiddleware<BasicRequestContext>(
                cache: fixture.cache,
                boundaries: fixture.boundaries,
                configuration: .init(
                    maximumBodySize: ConformanceFixture.maximumBodySize,
                    userID: { request, _ in request.headers[HTTPField.Name(ConformanceFixture.userHeader)!] }
                )
            ))
        let runs = fixture.runs
        let outage = fixture.outage
        for route in ConformanceFixture.routes {
            router.on(RouterPath(route.path), method: HTTPRequest.Method(route.method)!) {
                request, context -> Response in
                runs.increment()
                switch outage.failure {
                case .throwing: throw ConformanceOutage.HandlerFailed()
                case .throwingStatus(let code): throw HTTPError(.init(code: code))
                case .status(let code):
                    return Response(
                        status: .init(code: code),
                        body: ResponseBody(byteBuffer: ByteBuffer(string: ConformanceOutage.serverErrorBody)))
                case .stalling: try await Task.sleep(for: ConformanceOutage.stallDuration)
                case nil: break
                }
                var headers = HTTPFields()
                for (name, value) in route.headers { headers.append(HTTPField(name: .init(name)!, value: value)) }
                let body = route.body(runs.count) { name in
                    name.hasPrefix(":")
                        ? context.parameters.get(String(name.dropFirst())) : request.headers[HTTPField.Name(name)!]
                }
                return Response(
                    status: .init(code: route.status), headers: headers,
                    body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
            }
        }
        return Application(router: router)
    }
}
