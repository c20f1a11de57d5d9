#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Locking

/// A loopback HTTP/1.1 server made of plain sockets and threads whose answers a test
/// scripts: for each request head it is given, the script returns the bytes to send and
/// whether to close the connection afterwards (nil: send nothing, leave it hanging). It
/// records every request head and counts the connections it accepted, so tests can see
/// what a gateway or a download sent and whether it kept connections alive. The one
/// loopback server of the tests: the upstreams of the gateway tests, the file server of
/// the fetch tests.
public final class ScriptedHTTPServer: Sendable {
    /// What to do with one request.
    public struct Reply: Sendable {
        /// The bytes written back, verbatim.
        public var bytes: [UInt8]
        /// Close the connection after writing them.
        public var close = false

        /// A reply of `bytes`, closing the connection after them when `close`.
        public init(bytes: [UInt8], close: Bool = false) {
            self.bytes = bytes
            self.close = close
        }

        /// A complete response with `body`, and `headers` besides `Content-Length`.
        public static func response(status: String = "200 OK", headers: [String] = ["Content-Type: application/json"],
                             body: String, close: Bool = false) -> Reply {
            var text = "HTTP/1.1 \(status)\r\n"
            for header in headers { text += header + "\r\n" }
            text += "Content-Length: \(body.utf8.count)\r\n\r\n" + body
            return Reply(bytes: Array(text.utf8), close: close)
        }
    }

    private struct State {
        var requests: [String] = []
        var connections = 0
        var sockets: [Int32] = []
        var stopped = false
        var listening = true
    }

    /// The port it listens on, on 127.0.0.1.
    public let port: Int
    private let listener: Int32
    private let state = Locked(State())
    private let script: @Sendable (String) -> Reply?

    /// Starts listening; `script` is called on a connection's thread with each request head (request line and headers).
    public init(script: @escaping @Sendable (String) -> Reply?) throws {
        (listener, port) = try LoopbackListener.open(backlog: 64)
        self.script = script
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Every request head received so far, in order.
    public var requests: [String] { state.withLock { $0.requests } }
    /// How many connections were accepted.
    public var connections: Int { state.withLock { $0.connections } }

    /// Stops accepting and ends every open connection. File descriptors are only closed by
    /// the threads that use them, and shut down under the lock that their closing takes, so
    /// a descriptor number reused elsewhere in the process (another test's socket) is never touched.
    public func stop() {
        state.withLock { state in
            state.stopped = true
            if state.listening { shutdown(listener, Int32(SHUT_RDWR)) }
            for socket in state.sockets { shutdown(socket, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop() {
        defer {
            state.withLock { state in
                state.listening = false
                close(listener)
            }
        }
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            let stopped = state.withLock { state in
                state.connections += 1
                if !state.stopped { state.sockets.append(connection) }
                return state.stopped
            }
            if stopped {
                close(connection)
                return
            }
            Thread.detachNewThread { [self] in serve(connection) }
        }
    }

    private func serve(_ connection: Int32) {
        defer {
            state.withLock { state in
                state.sockets.removeAll { $0 == connection }
                close(connection)
            }
        }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            // Read until a whole head has arrived (the gateway sends no request bodies).
            while pending.count < 4 || !(0...(pending.count - 4)).contains(where: { Array(pending[$0..<$0 + 4]) == end }) {
                let count = read(connection, &chunk, chunk.count)
                guard count > 0 else { return }
                pending += chunk[0..<count]
            }
            let split = (0...(pending.count - 4)).first { Array(pending[$0..<$0 + 4]) == end }!
            let head = String(decoding: pending[0..<split], as: UTF8.self)
            pending.removeFirst(split + 4)
            state.withLock { $0.requests.append(head) }
            guard let reply = script(head) else {
                // Hang: keep the connection open and silent until the test stops the server.
                while read(connection, &chunk, chunk.count) > 0 {}
                return
            }
            var written = 0
            while written < reply.bytes.count {
                let count = reply.bytes[written...].withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
                guard count > 0 else { return }
                written += count
            }
            if reply.close { return }
        }
    }
}
