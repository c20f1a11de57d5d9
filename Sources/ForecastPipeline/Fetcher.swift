import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import PluginHost

/// The fetch step: brings each source into the data directory and extracts its CSV.
///
/// Sources are fetched in parallel. HTTP downloads stream to a `.part` file, check the
/// announced length, and are retried with exponential backoff on connection errors,
/// truncation and 5xx answers (a 4xx is final). Conditional requests (`If-None-Match`,
/// `If-Modified-Since`) and a SHA-256 of the bytes skip sources that have not changed.
/// The CSV is replaced by rename only after the new bytes are complete and extracted,
/// so a failed fetch leaves the previous files exactly as they were.
///
/// Files: `<data>/<variable>.download` (the source's bytes), `<data>/<variable>.csv`
/// (what ingest reads) and `<data>/<variable>.source.json` (ETag, Last-Modified, hash).
public struct Fetcher: Sendable {
    /// The data directory (`<workdir>/data`).
    public var dataDirectory: String
    /// Retries after the first attempt.
    public var retries: Int
    /// The first backoff delay in seconds; doubles after each failed attempt.
    public var initialBackoff: Double
    /// Per-request deadline in seconds.
    public var timeoutSeconds: Int64
    /// Archive limits.
    public var unzipper: Unzipper

    /// Creates a fetch step.
    public init(dataDirectory: String, retries: Int = 3, initialBackoff: Double = 1, timeoutSeconds: Int64 = 600,
                unzipper: Unzipper = Unzipper()) {
        self.dataDirectory = dataDirectory
        self.retries = retries
        self.initialBackoff = initialBackoff
        self.timeoutSeconds = timeoutSeconds
        self.unzipper = unzipper
    }

    /// The CSV path fetch produces for `variable`.
    public func csvPath(_ variable: Variable) -> String { "\(dataDirectory)/\(variable.rawValue).csv" }

    /// Fetches every source in parallel; throws the first failure after all have finished.
    public func fetch(_ sources: [FetchSource], progress: ProgressReporter) async throws(PipelineError) -> [FetchOutcome] {
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw PipelineError(.fetch, "cannot create \(dataDirectory): \(error.localizedDescription)")
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: HTTPClient.Configuration(redirectConfiguration: .follow(max: 5, allowCycles: false),
                                                                        timeout: .init(connect: .seconds(15), read: .seconds(60))))
        let results = await withTaskGroup(of: (Int, Result<FetchOutcome, PipelineError>).self) { group in
            for (index, source) in sources.enumerated() {
                group.addTask {
                    do throws(PipelineError) {
                        return (index, .success(try await fetchOne(source, client: client, progress: progress)))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var collected: [(Int, Result<FetchOutcome, PipelineError>)] = []
            for await result in group { collected.append(result) }
            return collected.sorted { $0.0 < $1.0 }.map(\.1)
        }
        try? await client.shutdown()
        var outcomes: [FetchOutcome] = []
        for result in results { outcomes.append(try result.get()) }
        return outcomes
    }

    private func fetchOne(_ source: FetchSource, client: HTTPClient, progress: ProgressReporter) async throws(PipelineError) -> FetchOutcome {
        let started = Date()
        let name = source.variable.rawValue
        let rawPath = "\(dataDirectory)/\(name).download"
        let partPath = rawPath + ".part"
        let recordPath = "\(dataDirectory)/\(name).source.json"
        let csv = csvPath(source.variable)
        let previous = readRecord(recordPath).flatMap { record in
            record.source == source.location && FileManager.default.fileExists(atPath: csv)
                && FileManager.default.fileExists(atPath: rawPath) ? record : nil
        }
        progress.begin(name, label: name, total: nil, unit: "B")

        var attempts = 1
        var transferred = 0
        var etag: String?
        var lastModified: String?
        if source.isRemote {
            var attempt = 0
            while true {
                attempt += 1
                do throws(DownloadFailure) {
                    let answer = try await download(source.location, to: partPath, previous: previous, client: client) { done, total in
                        progress.update(name, done: Double(done), total: total.map(Double.init))
                    }
                    if answer.notModified, let previous {
                        progress.finish(name, message: "not modified (\(source.location))")
                        return FetchOutcome(variable: name, source: source.location, status: .notModified, csvPath: csv,
                                            bytesTransferred: 0, sha256: previous.sha256, attempts: attempt,
                                            seconds: Date().timeIntervalSince(started))
                    }
                    transferred = answer.bytes
                    etag = answer.etag
                    lastModified = answer.lastModified
                    attempts = attempt
                    break
                } catch {
                    try? FileManager.default.removeItem(atPath: partPath)
                    guard error.retryable, attempt <= retries else {
                        progress.finish(name, message: "failed")
                        let tries = attempt > 1 ? " after \(attempt) attempts" : ""
                        throw PipelineError(.fetch, "\(name): \(error.message)\(tries); the previous files are unchanged")
                    }
                    let delay = initialBackoff * pow(2, Double(attempt - 1))
                    progress.log("\(name): \(error.message); retrying in \(String(format: "%.1f", delay)) s (attempt \(attempt + 1) of \(retries + 1))")
                    try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
                }
            }
        } else {
            guard FileManager.default.fileExists(atPath: source.location) else {
                progress.finish(name, message: "failed")
                throw PipelineError(.fetch, "\(name): no such file \(source.location)")
            }
            do {
                try? FileManager.default.removeItem(atPath: partPath)
                try FileManager.default.copyItem(atPath: source.location, toPath: partPath)
            } catch {
                progress.finish(name, message: "failed")
                throw PipelineError(.fetch, "\(name): cannot copy \(source.location): \(error.localizedDescription)")
            }
            transferred = (try? FileManager.default.attributesOfItem(atPath: partPath)[.size] as? Int) ?? 0
        }

        guard let data = FileManager.default.contents(atPath: partPath) else {
            throw PipelineError(.fetch, "\(name): cannot read \(partPath)")
        }
        let digest = ModelFile.sha256([UInt8](data))
        if let previous, previous.sha256 == digest {
            try? FileManager.default.removeItem(atPath: partPath)
            writeRecord(SourceRecord(source: source.location, sha256: digest, etag: etag ?? previous.etag,
                                     lastModified: lastModified ?? previous.lastModified), to: recordPath)
            progress.finish(name, message: "unchanged (same SHA-256 as the last fetch)")
            return FetchOutcome(variable: name, source: source.location, status: .unchanged, csvPath: csv,
                                bytesTransferred: transferred, sha256: digest, attempts: attempts,
                                seconds: Date().timeIntervalSince(started))
        }
        do throws(PipelineError) {
            if Unzipper.isZip(path: partPath) {
                try unzipper.extractCSV(from: partPath, to: csv, preferredName: name)
            } else {
                try Self.installPlainCSV(from: partPath, to: csv, source: source.location)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: partPath)
            progress.finish(name, message: "failed")
            throw error
        }
        guard rename(partPath, rawPath) == 0 else {
            throw PipelineError(.fetch, "cannot move \(partPath) to \(rawPath): \(String(cString: strerror(errno)))")
        }
        writeRecord(SourceRecord(source: source.location, sha256: digest, etag: etag, lastModified: lastModified), to: recordPath)
        progress.finish(name, message: "\(source.isRemote ? "downloaded" : "copied") \(ProgressReporter.amount(Double(transferred), unit: "B")) -> \(csv)")
        return FetchOutcome(variable: name, source: source.location, status: .updated, csvPath: csv,
                            bytesTransferred: transferred, sha256: digest, attempts: attempts,
                            seconds: Date().timeIntervalSince(started))
    }

    /// A plain CSV: checked to look like one, then copied next to the target and renamed over it.
    static func installPlainCSV(from path: String, to destination: String, source: String) throws(PipelineError) {
        let head = FileHandle(forReadingAtPath: path).flatMap { try? $0.read(upToCount: 64) } ?? Data()
        guard String(decoding: head, as: UTF8.self).lowercased().replacingOccurrences(of: "\u{FEFF}", with: "").hasPrefix("datetime") else {
            throw PipelineError(.fetch, "\(source) is neither a zip archive nor a CSV starting with a 'datetime' header")
        }
        let temporary = destination + ".tmp-\(getpid())"
        do {
            try? FileManager.default.removeItem(atPath: temporary)
            try FileManager.default.copyItem(atPath: path, toPath: temporary)
        } catch {
            throw PipelineError(.fetch, "cannot write \(temporary): \(error.localizedDescription)")
        }
        guard rename(temporary, destination) == 0 else {
            throw PipelineError(.fetch, "cannot move the CSV to \(destination): \(String(cString: strerror(errno)))")
        }
    }

    private struct Answer {
        var notModified = false
        var bytes = 0
        var etag: String?
        var lastModified: String?
    }

    private struct DownloadFailure: Error {
        var message: String
        var retryable: Bool
    }

    private func download(_ url: String, to path: String, previous: SourceRecord?, client: HTTPClient,
                          onProgress: (Int, Int?) -> Void) async throws(DownloadFailure) -> Answer {
        var request = HTTPClientRequest(url: url)
        if let previous {
            if let etag = previous.etag { request.headers.add(name: "If-None-Match", value: etag) }
            if let modified = previous.lastModified { request.headers.add(name: "If-Modified-Since", value: modified) }
        }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(timeoutSeconds))
        } catch {
            throw DownloadFailure(message: "cannot reach \(url): \(error)", retryable: true)
        }
        var answer = Answer()
        answer.etag = response.headers.first(name: "ETag")
        answer.lastModified = response.headers.first(name: "Last-Modified")
        if response.status.code == 304 {
            answer.notModified = true
            return answer
        }
        guard (200..<300).contains(response.status.code) else {
            throw DownloadFailure(message: "HTTP \(response.status.code) \(response.status.reasonPhrase) for \(url)",
                                  retryable: response.status.code >= 500 || response.status.code == 429)
        }
        let expected = response.headers.first(name: "Content-Length").flatMap { Int($0) }
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let output = FileHandle(forWritingAtPath: path) else {
            throw DownloadFailure(message: "cannot create \(path)", retryable: false)
        }
        defer { try? output.close() }
        var received = 0
        do {
            for try await buffer in response.body {
                let bytes = buffer.readableBytesView
                try output.write(contentsOf: Data(bytes))
                received += bytes.count
                onProgress(received, expected)
            }
            try output.synchronize()
        } catch {
            throw DownloadFailure(message: "the download of \(url) broke off after \(received) bytes (truncated): \(error)", retryable: true)
        }
        if let expected, expected != received {
            throw DownloadFailure(message: "the download of \(url) is truncated: \(received) of \(expected) bytes", retryable: true)
        }
        answer.bytes = received
        return answer
    }

    private func readRecord(_ path: String) -> SourceRecord? {
        FileManager.default.contents(atPath: path).flatMap { try? JSONDecoder().decode(SourceRecord.self, from: $0) }
    }

    private func writeRecord(_ record: SourceRecord, to path: String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if let data = try? encoder.encode(record) { try? AtomicFile.write(data, to: path) }
    }
}
