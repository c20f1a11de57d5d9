#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TestSupport
import Locking

/// A tiny HTTP/1.1 server on 127.0.0.1 for fetch tests: scripted answers per path,
/// conditional requests by ETag, and deliberately truncated bodies.
final class LoopbackHTTPServer: Sendable {
    /// One scripted answer.
    struct Answer: Sendable {
        var status = 200
        var body: [UInt8] = []
        var etag: String?
        /// Send the real Content-Length but only this many body bytes, then close.
        var truncateAt: Int?
    }

    private struct State {
        var scripts: [String: [Answer]] = [:]
        var requests: [String: Int] = [:]
        var conditionalHeaders: [String] = []
    }

    private let listener: Int32
    /// The port the server listens on.
    let port: Int
    private let state = Locked(State())

    init() throws {
        (listener, port) = try LoopbackListener.open(backlog: 16)
        let thread = Thread { [self] in self.acceptLoop() }
        thread.start()
    }

    /// The URL of `path` on this server.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Answers `path` with `answers` in turn; the last one repeats.
    func script(_ path: String, _ answers: [Answer]) {
        state.withLock { $0.scripts[path] = answers }
    }

    /// How many requests `path` received.
    func requestCount(_ path: String) -> Int { state.withLock { $0.requests[path] ?? 0 } }

    /// Every If-None-Match value received.
    var conditionalHeaders: [String] { state.withLock { $0.conditionalHeaders } }

    /// Stops accepting connections.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        var request: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !request.containsHeaderEnd {
            let got = recv(client, &chunk, chunk.count, 0)
            if got <= 0 { return }
            request.append(contentsOf: chunk[0..<got])
        }
        let text = String(decoding: request, as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        let path = lines.first?.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
        let ifNoneMatch = lines.first { $0.lowercased().hasPrefix("if-none-match:") }
            .map { String($0.dropFirst("if-none-match:".count)).trimmingCharacters(in: .whitespaces) }
        let answer: Answer? = state.withLock { state in
            let count = state.requests[path, default: 0]
            state.requests[path] = count + 1
            if let ifNoneMatch { state.conditionalHeaders.append(ifNoneMatch) }
            guard let script = state.scripts[path], !script.isEmpty else { return nil }
            return script[min(count, script.count - 1)]
        }
        guard var answer else {
            send(client, status: 404, headers: [], body: Array("not found".utf8), limit: nil)
            return
        }
        if let etag = answer.etag, ifNoneMatch == etag, answer.status == 200 {
            answer.status = 304
            answer.body = []
        }
        var headers: [String] = []
        if let etag = answer.etag { headers.append("ETag: \(etag)") }
        send(client, status: answer.status, headers: headers, body: answer.body, limit: answer.truncateAt)
    }

    private func send(_ client: Int32, status: Int, headers: [String], body: [UInt8], limit: Int?) {
        let reason = [200: "OK", 304: "Not Modified", 404: "Not Found", 500: "Internal Server Error"][status] ?? "Status"
        var head = "HTTP/1.1 \(status) \(reason)\r\nConnection: close\r\n"
        if status != 304 { head += "Content-Length: \(body.count)\r\n" }
        for header in headers { head += header + "\r\n" }
        head += "\r\n"
        var bytes = Array(head.utf8)
        bytes.append(contentsOf: body.prefix(limit ?? body.count))
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
            offset += sent
        }
    }
}

private extension Array where Element == UInt8 {
    var containsHeaderEnd: Bool {
        guard count >= 4 else { return false }
        for index in 0...(count - 4) where self[index] == 13 && self[index + 1] == 10 && self[index + 2] == 13 && self[index + 3] == 10 {
            return true
        }
        return false
    }
}
