import NIOCore
import NIOPosix

/// One HTTP/1.1 request over a raw TCP connection whose response is read as it arrives, chunk by chunk: what a
/// browser reading server-sent events sees, and what HummingbirdTesting's client (which returns whole responses)
/// cannot show.
///
/// A watchdog closes the connection after `limit`, so that a response that never comes fails the test instead of
/// hanging it. It bounds a wait; it asserts nothing about speed.
enum StreamingConnection {
    /// The connection ended before the awaited text arrived (or the watchdog closed it).
    struct Ended: Error, CustomStringConvertible {
        let awaited: String
        let received: String
        var description: String { "the connection ended before '\(self.awaited)' arrived; received: \(self.received)" }
    }

    /// What has arrived so far, and the way to wait for more.
    struct Reader {
        var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        /// Every byte received (head and body, with chunked framing), as text.
        private(set) var received = ""

        init(iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) {
            self.iterator = iterator
        }

        /// Reads until `text` has arrived, and returns everything received so far.
        @discardableResult
        mutating func read(until text: String) async throws -> String {
            while !self.received.contains(text) {
                guard let chunk = try await self.iterator.next() else {
                    throw Ended(awaited: text, received: self.received)
                }
                self.received += String(buffer: chunk)
            }
            return self.received
        }

        /// Reads until the server closes the connection (or it fails), and returns everything received.
        mutating func readToEnd() async -> String {
            do {
                while let chunk = try await self.iterator.next() {
                    self.received += String(buffer: chunk)
                }
            } catch {
                // A reset after a body that ended in an error: what arrived before it is what counts.
            }
            return self.received
        }
    }

    /// Sends `GET path` to the server on `port`, runs `body` with a reader of the response, then closes the
    /// connection (a client going away, when the response has not ended yet).
    static func get<Result: Sendable>(
        port: Int,
        path: String,
        limit: Duration = .seconds(20),
        _ body: (inout Reader) async throws -> Result
    ) async throws -> Result {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let raw = channel.channel
        let watchdog = Task {
            try await Task.sleep(for: limit)
            try? await raw.close()
        }
        defer { watchdog.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: "GET \(path) HTTP/1.1\r\nHost: localhost\r\n\r\n"))
            var reader = Reader(iterator: inbound.makeAsyncIterator())
            return try await body(&reader)
        }
    }
}
