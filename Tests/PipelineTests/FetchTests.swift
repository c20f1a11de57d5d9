import ForecastPipeline
import Foundation
import TestSupport
import Testing

@Suite("Fetch over a loopback HTTP server")
struct FetchTests {
    static let csvT = WideCSV.make(cities: ["San Francisco"], hours: 30, value: WideCSV.temperature)
    static let csvH = WideCSV.make(cities: ["San Francisco"], hours: 30, value: WideCSV.humidity)

    static func fetcher(_ directory: Scratch) -> Fetcher {
        Fetcher(dataDirectory: directory.file("data"), retries: 2, initialBackoff: 0.01, timeoutSeconds: 20)
    }

    static func zipped(_ directory: Scratch, _ name: String, _ text: String) throws -> [UInt8] {
        let path = directory.file("\(name).csv.zip")
        try UnzipTests.archive(path, entries: [("\(name).csv", text)])
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test("downloads both in parallel, then skips them: 304 by ETag, or the same SHA-256")
    func downloadThenSkip() async throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        server.script("/temperature.csv.zip", [.init(body: try Self.zipped(directory, "temperature", Self.csvT), etag: "\"t1\"")])
        server.script("/humidity.csv", [.init(body: Array(Self.csvH.utf8))]) // no ETag: the hash decides
        let sources = [FetchSource(variable: .temperature, location: server.url("/temperature.csv.zip")),
                       FetchSource(variable: .humidity, location: server.url("/humidity.csv"))]
        let fetcher = Self.fetcher(directory)
        let first = try await fetcher.fetch(sources, progress: ProgressReporter(mode: .silent))
        #expect(first.map(\.status) == [.updated, .updated])
        #expect(try String(contentsOfFile: fetcher.csvPath(.temperature), encoding: .utf8) == Self.csvT)
        #expect(try String(contentsOfFile: fetcher.csvPath(.humidity), encoding: .utf8) == Self.csvH)

        let second = try await fetcher.fetch(sources, progress: ProgressReporter(mode: .silent))
        #expect(second.map(\.status) == [.notModified, .unchanged])
        #expect(server.conditionalHeaders == ["\"t1\""])
    }

    @Test("HTTP 404 is a clear error, not retried, and the previous files stay")
    func notFound() async throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let fetcher = Self.fetcher(directory)
        try FileManager.default.createDirectory(atPath: directory.file("data"), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: fetcher.csvPath(.temperature), contents: Data("previous".utf8))
        let error = await #expect(throws: PipelineError.self) {
            _ = try await fetcher.fetch([FetchSource(variable: .temperature, location: server.url("/missing.zip"))],
                                        progress: ProgressReporter(mode: .silent))
        }
        #expect(error?.message.contains("HTTP 404") == true, "\(error?.message ?? "")")
        #expect(server.requestCount("/missing.zip") == 1)
        #expect(try String(contentsOfFile: fetcher.csvPath(.temperature), encoding: .utf8) == "previous")
    }

    @Test("a truncated download is retried, then a clear error; no half file is left")
    func truncated() async throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let body = try Self.zipped(directory, "temperature", Self.csvT)
        server.script("/t.zip", [.init(body: body, truncateAt: body.count / 2)])
        let fetcher = Self.fetcher(directory)
        let error = await #expect(throws: PipelineError.self) {
            _ = try await fetcher.fetch([FetchSource(variable: .temperature, location: server.url("/t.zip"))],
                                        progress: ProgressReporter(mode: .silent))
        }
        #expect(error?.message.contains("truncated") == true, "\(error?.message ?? "")")
        #expect(server.requestCount("/t.zip") == 3)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.file("data"))) ?? []
        #expect(files.isEmpty, "left behind: \(files)")
    }

    @Test("a 500 then a good answer: the retry succeeds")
    func retryAfterServerError() async throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        server.script("/h.csv", [.init(status: 500, body: Array("oops".utf8)), .init(body: Array(Self.csvH.utf8))])
        let outcomes = try await Self.fetcher(directory).fetch([FetchSource(variable: .humidity, location: server.url("/h.csv"))],
                                                              progress: ProgressReporter(mode: .silent))
        #expect(outcomes.first?.attempts == 2 && outcomes.first?.status == .updated)
    }

    @Test("local paths: a zip and a plain CSV; an unchanged file is skipped; a non-CSV is refused")
    func localPaths() async throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        _ = try Self.zipped(directory, "temperature", Self.csvT)
        let plain = directory.write("humidity.csv", Self.csvH)
        let sources = [FetchSource(variable: .temperature, location: directory.file("temperature.csv.zip")),
                       FetchSource(variable: .humidity, location: plain)]
        let fetcher = Self.fetcher(directory)
        #expect(try await fetcher.fetch(sources, progress: ProgressReporter(mode: .silent)).map(\.status) == [.updated, .updated])
        #expect(try await fetcher.fetch(sources, progress: ProgressReporter(mode: .silent)).map(\.status) == [.unchanged, .unchanged])
        let junk = directory.write("junk.bin", "not a csv at all")
        await #expect(throws: PipelineError.self) {
            _ = try await fetcher.fetch([FetchSource(variable: .humidity, location: junk)], progress: ProgressReporter(mode: .silent))
        }
        #expect(try String(contentsOfFile: fetcher.csvPath(.humidity), encoding: .utf8) == Self.csvH)
    }
}
