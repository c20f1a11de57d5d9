import Foundation
import Testing
import TestSupport

/// Malformed, oversized, path-traversing and slow requests against a real `forecast serve`:
/// each gets a clear 4xx (or the connection is closed), nothing reaches the file system,
/// memory stays bounded, and the server keeps answering everyone else.
@Suite("hostile requests against forecast serve", .serialized)
struct HostileRequestTests {
    static func residentKiB(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    @Test("malformed, oversized, traversing and idle requests get 4xx or a closed connection, and the server keeps serving")
    func hostileRequests() throws {
        let scratch = try Scratch("hostile")
        defer { scratch.remove() }
        let workdir = scratch.path
        let common = try ForecastCommand.prepareTrainedWorkdir(workdir, hours: 800, cities: ["San Francisco"])
        let server = try ServedProcess(common, in: workdir)
        defer { _ = server.stop() }
        let port = try #require(Int(server.baseURL.split(separator: ":").last ?? ""))
        let good = "/seasonal-naive/forecast/24"
        let reference = try server.request(good)
        #expect(reference.status == 200)

        // 1. Not HTTP at all, and a request line with a bad version.
        for garbage in ["HELLO\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "\u{0}\u{1}\u{2}\r\n\r\n", "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"] {
            let connection = try LoopbackConnection(port: port)
            connection.send(garbage)
            let response = connection.receive()
            let status = LoopbackConnection.status(response)
            #expect(status == nil || (400..<500).contains(status!), "\(garbage.debugDescription) -> \(response.prefix(80))")
        }

        // 2. Paths and cities that look like files: never a file's content, always a JSON 4xx.
        for path in ["/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/seasonal-naive/forecast/24?city=../../../../etc/passwd",
                     "/seasonal-naive/forecast/24?city=%2Fetc%2Fpasswd", "/seasonal-naive/forecast/..%2F..%2Fmodels",
                     "/models/seasonal-naive/san-francisco/temperature.model", "/forecast.db", "//etc/passwd"] {
            let response = try server.request(path)
            #expect((400..<500).contains(response.status), "\(path) -> \(response.status)")
            #expect(!response.body.contains("root:") && !response.body.contains("forecast-model 1"), "\(path)")
            #expect(response.body.hasPrefix("{\"error\""), "\(path) -> \(response.body.prefix(80))")
        }

        // 3. A 1 MiB header line and 10,000 headers: refused or closed, not buffered without bound.
        for request in ["GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 1 << 20))\r\n\r\n",
                        "GET /healthz HTTP/1.1\r\nHost: x\r\n" + (0..<10_000).map { "X-\($0): y\r\n" }.joined() + "\r\n"] {
            let connection = try LoopbackConnection(port: port)
            connection.send(request)
            let response = connection.receive()
            let status = LoopbackConnection.status(response)
            #expect(status == nil || (400..<500).contains(status!), "\(request.prefix(40).debugDescription) -> \(response.prefix(80))")
        }

        // 4. A 64 MiB body the route does not read: answered without holding the body in memory.
        let rssBefore = Self.residentKiB(server.child.pid)
        do {
            let connection = try LoopbackConnection(port: port)
            let size = 64 << 20
            connection.send("POST /admin/reload HTTP/1.1\r\nHost: x\r\nContent-Length: \(size)\r\n\r\n")
            let chunk = [UInt8](repeating: 0x41, count: 1 << 20)
            var sent = 0
            for _ in 0..<(size >> 20) {
                let count = connection.send(chunk)
                sent += count
                if count < chunk.count { break }
            }
            let response = connection.receive(limit: 4096)
            #expect(LoopbackConnection.status(response) != nil || sent < size, "no response to a 64 MiB POST")
        }
        let rssAfter = Self.residentKiB(server.child.pid)
        #expect(rssAfter - rssBefore < 32 * 1024, "resident memory grew by \(rssAfter - rssBefore) KiB for a 64 MiB body")
        // The reload ran (it ignores the body), so the model generation in the body moved on.
        let reloaded = try server.request(good)
        #expect(reloaded.status == 200)

        // 5. 200 slow clients holding half-sent requests: a normal request still gets through.
        var idle: [LoopbackConnection] = []
        for _ in 0..<200 {
            let connection = try LoopbackConnection(port: port)
            connection.send("GET /seasonal-naive/forecast/24 HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            idle.append(connection)
        }
        let during = try server.request(good)
        #expect(during.status == 200 && during.body == reloaded.body)
        idle.removeAll()

        #expect(server.child.isRunning)
        #expect(try server.request(good).body == reloaded.body)
        #expect(server.stop() == 0)
    }
}
