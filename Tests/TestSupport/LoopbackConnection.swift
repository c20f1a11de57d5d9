#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// One blocking TCP connection to a loopback port that writes bytes exactly as given, for
/// what no HTTP client would send (garbage, huge headers, half-sent requests, pipelined
/// requests, `Connection: close`), and reads the answer back raw or as HTTP/1.1 responses.
///
/// Its calls block, so async tests use it inside ``exchange(port:timeout:_:)``, on a thread
/// of its own: blocking the few threads of Swift's cooperative pool would stall a server
/// under test whose request handlers run there.
public final class LoopbackConnection {
    /// A response as read: status code, headers (names lowercased) and body.
    public struct Response: Sendable {
        /// The status code.
        public var status: Int
        /// The headers, names lowercased.
        public var headers: [String: String]
        /// The body, framed by `Content-Length`.
        public var body: String
    }

    private let descriptor: Int32
    private var pending: [UInt8] = []

    /// Connects to `127.0.0.1:port`; sends and reads time out after `timeout` seconds.
    public init(port: Int, timeout: Int = 20) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestSetupFailure(message: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw TestSetupFailure(message: "connect to 127.0.0.1:\(port): \(reason)")
        }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(descriptor) }

    /// Runs `work` with a connection to `port` on a new thread and returns its result. The
    /// timeout is a guard against a hang, not a speed: on a loaded machine an answer due at
    /// once may take many seconds.
    public static func exchange<T: Sendable>(port: Int, timeout: Int = 300,
                                             _ work: @escaping @Sendable (LoopbackConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try work(try LoopbackConnection(port: port, timeout: timeout)) })
            }
        }
    }

    // MARK: Writing

    /// Sends `bytes`; returns how many were accepted before the peer closed, an error or the timeout.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Int {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { break }
            sent += count
        }
        return sent
    }

    /// Sends `text` as UTF-8; returns how many bytes were accepted, as for bytes.
    @discardableResult
    public func send(_ text: String) -> Int { send(Array(text.utf8)) }

    /// Sends all of `text` as UTF-8, or throws when the peer stops taking it.
    public func write(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard send(bytes) == bytes.count else { throw POSIXError(.EPIPE) }
    }

    // MARK: Reading

    /// Reads until the peer closes, the timeout passes, or `limit` bytes arrived.
    public func receive(limit: Int = 1 << 20) -> String {
        var data = pending
        pending.removeAll()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while data.count < limit {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, 0) }
            if count <= 0 { break }
            data += buffer[0..<count]
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The next response (its body framed by `Content-Length`), or nil when the server closed the connection first.
    public func readResponse() throws -> Response? {
        guard let headEnd = try fill(until: { $0.firstRange(of: Array("\r\n\r\n".utf8)) }) else { return nil }
        let head = String(decoding: pending[..<headEnd.lowerBound], as: UTF8.self)
        pending.removeFirst(headEnd.upperBound)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw POSIXError(.EPROTO) }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        guard try fill(until: { $0.count >= length ? 0..<length : nil }) != nil else { throw POSIXError(.ECONNRESET) }
        let body = String(decoding: pending[..<length], as: UTF8.self)
        pending.removeFirst(length)
        return Response(status: status, headers: headers, body: body)
    }

    /// Whether the server has closed the connection (a read returns end of file).
    public func isClosedByServer() -> Bool {
        var byte: UInt8 = 0
        return read(descriptor, &byte, 1) == 0
    }

    /// The status code of the first HTTP response line in `response`, or nil.
    public static func status(_ response: String) -> Int? {
        guard response.hasPrefix("HTTP/1.1 ") || response.hasPrefix("HTTP/1.0 ") else { return nil }
        return Int(response.dropFirst(9).prefix(3))
    }

    /// Reads until `found` finds something in the buffer; nil at end of file.
    private func fill(until found: ([UInt8]) -> Range<Int>?) throws -> Range<Int>? {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let range = found(pending) { return range }
            let count = read(descriptor, &chunk, chunk.count)
            if count == 0 { return nil }
            guard count > 0 else { throw POSIXError(.ETIMEDOUT) }
            pending += chunk[0..<count]
        }
    }
}
