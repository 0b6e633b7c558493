import CacheLayer
import CacheLayerHummingbird
import CacheLayerTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Bodies of unknown length are forwarded as the handler writes them; the cache keeps a copy up to the size limit
/// and stores it when the body ends well.
@Suite("Response cache: streamed bodies")
struct ResponseStreamingTests {
    /// The end of a chunked body.
    static let lastChunk = "0\r\n\r\n"

    @Test func aStreamReachesItsClientChunkByChunkWhileTheHandlerIsStillWriting() async throws {
        let fixture = try StreamingFixture()
        try await fixture.application().test(.live) { client in
            let port = try #require(client.port)
            let received = try await releasing(fixture.lockstep) {
                try await StreamingConnection.get(port: port, path: "/lockstep") { reader in
                    // The handler writes chunk 2 only after the client has read chunk 1: a cache that buffered the
                    // body before sending it would never answer.
                    let head = try await reader.read(until: "chunk 1;")
                    #expect(head.lowercased().contains("x-cache: miss"))
                    fixture.lockstep[0].open()
                    try await reader.read(until: "chunk 2;")
                    fixture.lockstep[1].open()
                    return try await reader.read(until: Self.lastChunk)
                }
            }
            #expect(received.contains("chunk 3;"))
            // It ended within the limit: stored, and replayed byte for byte.
            let replay = try await client.execute(uri: "/lockstep", method: .get)
            #expect(replay.cacheStatus == "HIT" && replay.text == "chunk 1;chunk 2;chunk 3;")
        }
        #expect(fixture.runs["/lockstep"] == 1)
    }

    @Test func aRemovalWhileTheBodyStreamsKeepsItOutOfTheCache() async throws {
        let fixture = try StreamingFixture()
        try await fixture.application().test(.live) { client in
            let port = try #require(client.port)
            _ = try await releasing(fixture.lockstep) {
                try await StreamingConnection.get(port: port, path: "/lockstep") { reader in
                    try await reader.read(until: "chunk 1;")
                    // The data behind the response changes while its body is still being written.
                    try await fixture.cache.removeAll()
                    fixture.lockstep[0].open()
                    fixture.lockstep[1].open()
                    return try await reader.read(until: Self.lastChunk)
                }
            }
            let next = try await client.execute(uri: "/lockstep", method: .get)
            #expect(next.cacheStatus == "MISS", "the body written before the removal was stored")
        }
        #expect(fixture.runs["/lockstep"] == 2)
    }

    @Test func aConcurrentRequestForTheKeyIsNotHeldByAnOpenStream() async throws {
        let fixture = try StreamingFixture()
        try await fixture.application().test(.live) { client in
            let port = try #require(client.port)
            let firstStreamOpen = Gate()
            try await releasing([fixture.held, firstStreamOpen]) {
                try await withThrowingTaskGroup(of: String.self) { group in
                    group.addTask {
                        // Opened on failure too, so that the test goes on to fail rather than wait forever.
                        try await releasing([firstStreamOpen]) {
                            try await StreamingConnection.get(port: port, path: "/held") { reader in
                                try await reader.read(until: "first open;")
                                firstStreamOpen.open()
                                return try await reader.read(until: Self.lastChunk)
                            }
                        }
                    }
                    await firstStreamOpen.wait()
                    // The first stream is open (held by its handler); the same key runs its own handler at once.
                    let second = try await within(.seconds(20), onTimeout: { fixture.held.open() }) {
                        try await client.execute(uri: "/held", method: .get)
                    }
                    #expect(second.cacheStatus == "MISS" && second.text == "run 2;")
                    #expect(fixture.runs["/held"] == 2)
                    fixture.held.open()
                    let first = try #require(try await group.next())
                    #expect(first.contains("first open;") && first.contains("first end;"))
                }
            }
        }
    }

    @Test func aStreamOverTheLimitReachesItsClientWholeAndIsNotStored() async throws {
        let fixture = try StreamingFixture(maximumBodySize: 1_024)
        let expected = (0..<4).map { String(repeating: "\($0)", count: 1_000) }.joined()
        try await fixture.application().test(.live) { client in
            for _ in 0..<2 {
                let response = try await client.execute(uri: "/large-stream", method: .get)
                #expect(response.cacheStatus == "MISS" && response.text == expected)
            }
        }
        #expect(fixture.runs["/large-stream"] == 2)
        #expect(try fixture.notStored("large-stream", "too_large") == 2)
    }

    @Test func aFinishedSmallStreamIsStoredAndTheNextRequestIsAHitWithTheSameBytes() async throws {
        let fixture = try StreamingFixture()
        try await fixture.application().test(.live) { client in
            let first = try await client.execute(uri: "/small-stream", method: .get)
            #expect(first.cacheStatus == "MISS" && first.text == "alpha;beta;run 1")
            let second = try await client.execute(uri: "/small-stream", method: .get)
            #expect(second.cacheStatus == "HIT" && second.body == first.body)
            #expect(second.headers[.contentType] == "text/plain")
        }
        #expect(fixture.runs["/small-stream"] == 1)
        // The store of a stream is a `cache.put` like any other.
        #expect(fixture.tracer.finishedSpans.contains { $0.operationName == "cache.put" })
    }

    @Test func aStreamThatEndsWithTrailersIsNotStored() async throws {
        let fixture = try StreamingFixture()
        try await fixture.application().test(.router) { client in
            for _ in 0..<2 {
                let response = try await client.execute(uri: "/trailers-stream", method: .get)
                #expect(response.cacheStatus == "MISS" && response.text == "with trailers")
            }
        }
        #expect(fixture.runs["/trailers-stream"] == 2)
        #expect(try fixture.notStored("trailers-stream", "trailers") == 2)
    }

    @Test func aHandlerThatThrowsMidStreamStoresNothing() async throws {
        let fixture = try StreamingFixture()
        try await fixture.application().test(.live) { client in
            let port = try #require(client.port)
            let received = try await StreamingConnection.get(port: port, path: "/throws-mid-stream") { reader in
                try await reader.read(until: "partial;")
                return await reader.readToEnd()
            }
            #expect(!received.contains(Self.lastChunk))
            let next = try await client.execute(uri: "/throws-mid-stream", method: .get)
            #expect(next.cacheStatus == "MISS" && next.text == "whole run 2")
        }
        #expect(fixture.runs["/throws-mid-stream"] == 2)
        #expect(try fixture.notStored("throws-mid-stream", "incomplete") == 1)
    }

    @Test func aClientThatDisconnectsMidStreamStoresNothing() async throws {
        // A limit the whole stream stays under, so that only the disconnect keeps it out of the cache.
        let fixture = try StreamingFixture(maximumBodySize: 64 << 20)
        try await fixture.application().test(.live) { client in
            let port = try #require(client.port)
            try await releasing([fixture.held]) {
                try await StreamingConnection.get(port: port, path: "/disconnect") { reader in
                    try await reader.read(until: "first;")
                }
            }
            // The connection is closed; the handler goes on writing until a write fails, then ends its body.
            fixture.held.open()
            await fixture.disconnectDone.wait()
            #expect(fixture.disconnectSawWriteError.isSet)
            let next = try await client.execute(uri: "/disconnect", method: .get)
            #expect(next.cacheStatus == "MISS" && next.text == "run 2")
        }
        #expect(fixture.runs["/disconnect"] == 2)
        #expect(try fixture.notStored("disconnect", "incomplete") == 1)
    }

    @Test func aBodyOfKnownLengthWrittenInPartsIsStored() async throws {
        let fixture = try StreamingFixture()
        try await fixture.application().test(.router) { client in
            let first = try await client.execute(uri: "/known-stream", method: .get)
            let second = try await client.execute(uri: "/known-stream", method: .get)
            #expect(first.cacheStatus == "MISS" && second.cacheStatus == "HIT")
            #expect(first.text == "abcde1" && second.text == "abcde1" && second.headers[.contentLength] == "6")
        }
        #expect(fixture.runs["/known-stream"] == 1)
    }

    @Test(arguments: ["/short-length", "/long-length", "/header-length"])
    func aBodyWhoseContentLengthLiesIsNotStored(path: String) async throws {
        let fixture = try StreamingFixture()
        try await fixture.application().test(.router) { client in
            for _ in 0..<2 {
                // The body that outgrows its declared length ends in an error after the declared bytes.
                let response = try? await client.execute(uri: path, method: .get)
                #expect(response?.cacheStatus != "HIT", "\(path)")
            }
        }
        #expect(fixture.runs[path] == 2, "\(path)")
        #expect(try fixture.notStored(String(path.dropFirst()), "length_mismatch") == 2, "\(path)")
    }
}

/// Runs `body`, and opens `gates` whether it returns or throws, so that a failing test never leaves a handler
/// waiting (and the server unable to shut down).
func releasing<Result>(_ gates: [Gate], _ body: () async throws -> Result) async throws -> Result {
    do {
        let result = try await body()
        gates.forEach { $0.open() }
        return result
    } catch {
        gates.forEach { $0.open() }
        throw error
    }
}

/// The result of `body`, or an error once `limit` has passed (after `onTimeout` has released whatever `body`
/// waits on, so that it can end). A bound on a wait that must not hang, never an assertion about speed.
func within<Result: Sendable>(
    _ limit: Duration,
    onTimeout: @escaping @Sendable () -> Void,
    _ body: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    return try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        let first = try await group.next()
        group.cancelAll()
        guard let value = first ?? nil else {
            onTimeout()
            throw WaitTimedOut(limit: limit)
        }
        return value
    }
}

/// A bounded wait ran out.
struct WaitTimedOut: Error {
    let limit: Duration
}
