import HTTPTypes
import Hummingbird
import NIOCore

/// A body of unknown length, forwarded to the client as the handler writes it, with a copy kept for the cache.
///
/// The copy stops at the limit (the body goes on to the client whole). When the body ends well (every write
/// reached the client, `finish` was called, no trailing headers) within the limit, `store` gets the copy before
/// the end of the body is sent, so a client that has the whole response finds it stored. Otherwise `refuse` gets
/// why, once: ``NotStoredReason/tooLarge`` as soon as the copy overflows, ``NotStoredReason/trailers``, or
/// ``NotStoredReason/incomplete`` when the handler threw or the client went away.
struct StreamedBodyCopy: Sendable {
    let limit: Int
    let store: @Sendable (ByteBuffer) async -> Void
    let refuse: @Sendable (NotStoredReason) -> Void

    /// `body`, forwarded and copied.
    func forwarding(_ body: ResponseBody) -> ResponseBody {
        let copy = self
        return ResponseBody(contentLength: body.contentLength) { writer in
            let state = State()
            do {
                try await body.write(Tee(downstream: writer, copy: copy, state: state))
            } catch {
                copy.settle(state, .incomplete)
                throw error
            }
            // A body that returned without finishing never ended well.
            copy.settle(state, .incomplete)
        }
    }

    /// Refuses with `reason` unless the outcome is already settled.
    fileprivate func settle(_ state: State, _ reason: NotStoredReason) {
        guard !state.settled else { return }
        state.settled = true
        state.bytes = ByteBuffer()
        self.refuse(reason)
    }

    /// What the tee has seen. A class, because `ResponseBody.write` consumes the writer; it never leaves the task
    /// that writes the body.
    fileprivate final class State {
        var bytes = ByteBuffer()
        /// Stored, or refused: nothing more to do.
        var settled = false
    }

    private struct Tee: ResponseBodyWriter {
        var downstream: any ResponseBodyWriter
        let copy: StreamedBodyCopy
        let state: State

        mutating func write(_ buffer: ByteBuffer) async throws {
            self.keep(buffer)
            do {
                try await self.downstream.write(buffer)
            } catch {
                // The client has gone: whatever the handler does next, this body is not whole.
                self.copy.settle(self.state, .incomplete)
                throw error
            }
        }

        mutating func write(contentsOf buffers: some Sequence<ByteBuffer>) async throws {
            for buffer in buffers { self.keep(buffer) }
            do {
                try await self.downstream.write(contentsOf: buffers)
            } catch {
                self.copy.settle(self.state, .incomplete)
                throw error
            }
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
            if trailingHeaders != nil {
                self.copy.settle(self.state, .trailers)
            } else if !self.state.settled {
                self.state.settled = true
                let bytes = self.state.bytes
                self.state.bytes = ByteBuffer()
                await self.copy.store(bytes)
            }
            try await self.downstream.finish(trailingHeaders)
        }

        /// Adds `buffer` to the copy, or gives the copy up when it would pass the limit.
        private func keep(_ buffer: ByteBuffer) {
            guard !self.state.settled else { return }
            guard buffer.readableBytes <= self.copy.limit - self.state.bytes.readableBytes else {
                self.copy.settle(self.state, .tooLarge)
                return
            }
            var buffer = buffer
            self.state.bytes.writeBuffer(&buffer)
        }
    }
}
