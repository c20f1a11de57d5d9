import Foundation
import Locking
import TestSupport

/// The file server of the fetch tests: scripted answers per path, conditional requests by
/// ETag, and deliberately truncated bodies, on TestSupport's ``ScriptedHTTPServer``. Every
/// answer closes its connection.
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

    private let state: Locked<State>
    private let server: ScriptedHTTPServer

    /// The port the server listens on.
    var port: Int { server.port }

    init() throws {
        let state = Locked(State())
        self.state = state
        server = try ScriptedHTTPServer { head in Self.reply(to: head, state: state) }
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
        server.stop()
    }

    private static func reply(to head: String, state: Locked<State>) -> ScriptedHTTPServer.Reply {
        let lines = head.components(separatedBy: "\r\n")
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
            return response(status: 404, headers: [], body: Array("not found".utf8), limit: nil)
        }
        if let etag = answer.etag, ifNoneMatch == etag, answer.status == 200 {
            answer.status = 304
            answer.body = []
        }
        var headers: [String] = []
        if let etag = answer.etag { headers.append("ETag: \(etag)") }
        return response(status: answer.status, headers: headers, body: answer.body, limit: answer.truncateAt)
    }

    private static func response(status: Int, headers: [String], body: [UInt8], limit: Int?) -> ScriptedHTTPServer.Reply {
        let reason = [200: "OK", 304: "Not Modified", 404: "Not Found", 500: "Internal Server Error"][status] ?? "Status"
        var head = "HTTP/1.1 \(status) \(reason)\r\nConnection: close\r\n"
        if status != 304 { head += "Content-Length: \(body.count)\r\n" }
        for header in headers { head += header + "\r\n" }
        head += "\r\n"
        return ScriptedHTTPServer.Reply(bytes: Array(head.utf8) + body.prefix(limit ?? body.count), close: true)
    }
}
