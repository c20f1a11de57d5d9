#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// One blocking loopback TCP connection that writes bytes as given and reads HTTP/1.1
/// responses back, for tests that need exact control of the wire: pipelined requests,
/// `Connection: close`.
///
/// Its calls block, so async tests use it inside ``RawHTTPConnection/exchange(port:_:)``,
/// on a thread of its own: blocking the few threads of Swift's cooperative pool would
/// stall the server under test, whose request handlers run there.
final class RawHTTPConnection {
    /// Runs `work` with a connection to `port` on a new thread and returns its result.
    static func exchange<T: Sendable>(port: Int, _ work: @escaping @Sendable (RawHTTPConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try work(try RawHTTPConnection(port: port)) })
            }
        }
    }

    /// A response as read: status code, headers (names lowercased) and body.
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    private let descriptor: Int32
    private var pending: [UInt8] = []

    /// Connects to 127.0.0.1:`port`; reads time out after `timeout` seconds (a guard
    /// against a hang, not a speed: on a loaded machine an answer may take many seconds).
    init(port: Int, timeout: Int = 300) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    deinit { close(descriptor) }

    /// Writes `text` as it is.
    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { throw POSIXError(.EPIPE) }
            written += count
        }
    }

    /// The next response (its body framed by `Content-Length`), or nil when the server closed the connection first.
    func readResponse() throws -> Response? {
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
    func isClosedByServer() -> Bool {
        var byte: UInt8 = 0
        return read(descriptor, &byte, 1) == 0
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
