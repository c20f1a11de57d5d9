import AsyncHTTPClient
import ForecastVocabulary
import Foundation
import Logging
import ModelFiles
import NIOCore

/// The fetch step: brings each source into the data directory and extracts its CSV.
///
/// Sources are fetched in parallel. HTTP downloads stream to a `.part` file, check the
/// announced length, and are retried with exponential backoff on connection errors,
/// truncation and 5xx answers (a 4xx is final). Conditional requests (`If-None-Match`,
/// `If-Modified-Since`) and a SHA-256 of the bytes skip sources that have not changed.
/// The CSV is replaced by rename only after the new bytes are complete, extracted to a
/// staging name and validated (every row parses, and the file covers at least the hours
/// and cities of the CSV it replaces, unless ``allowPartialFiles``), so a failed or
/// refused fetch leaves the previous files exactly as they were. A directory given as a
/// source is refused at once; messages name the user's file or URL, never a staging name.
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
    /// Replace a CSV even by one that covers fewer hours or cities (a partial update meant as such).
    public var allowPartialFiles: Bool

    /// Creates a fetch step.
    public init(dataDirectory: String, retries: Int = 3, initialBackoff: Double = 1, timeoutSeconds: Int64 = 600,
                unzipper: Unzipper = Unzipper(), allowPartialFiles: Bool = false) {
        self.allowPartialFiles = allowPartialFiles
        self.dataDirectory = dataDirectory
        self.retries = retries
        self.initialBackoff = initialBackoff
        self.timeoutSeconds = timeoutSeconds
        self.unzipper = unzipper
    }

    /// The CSV path fetch produces for `variable`.
    public func csvPath(_ variable: Variable) -> String { "\(dataDirectory)/\(variable.rawValue).csv" }

    /// Fetches every source in parallel and installs each new CSV that passed its checks;
    /// throws the first failure after all have finished (the other sources are installed).
    public func fetch(_ sources: [FetchSource], progress: ProgressReporter) async throws(PipelineError) -> [FetchOutcome] {
        let results = try await fetchAll(sources, progress: progress, install: true)
        var outcomes: [FetchOutcome] = []
        for result in results { outcomes.append(try result.get().0) }
        return outcomes
    }

    /// Fetches and checks every source in parallel but installs nothing yet: the new CSVs
    /// stay under staging names until ``StagedFetch/install()``, so that a later step (the
    /// pipeline's ingest) can refuse them and leave the previous files as they were. On any
    /// failure every staged file is removed and the first failure thrown.
    public func stage(_ sources: [FetchSource], progress: ProgressReporter) async throws(PipelineError) -> StagedFetch {
        let results = try await fetchAll(sources, progress: progress, install: false)
        var staged = StagedFetch(outcomes: [], pending: [])
        var failure: PipelineError?
        for result in results {
            switch result {
            case .success(let (outcome, pending)):
                staged.outcomes.append(outcome)
                if let pending { staged.pending.append(pending) }
            case .failure(let error):
                failure = failure ?? error
            }
        }
        if let failure {
            staged.discard()
            throw failure
        }
        return staged
    }

    private func fetchAll(_ sources: [FetchSource], progress: ProgressReporter,
                          install: Bool) async throws(PipelineError) -> [Result<(FetchOutcome, PendingInstall?), PipelineError>] {
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw PipelineError(.fetch, "cannot create the data directory \(dataDirectory): \(error.localizedDescription)")
        }
        guard access(dataDirectory, W_OK) == 0 else {
            throw PipelineError(.fetch, "cannot write into the data directory \(dataDirectory): it is read-only (\(String(cString: strerror(errno)))); the previous files are unchanged")
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: HTTPClient.Configuration(redirectConfiguration: .follow(max: 5, allowCycles: false),
                                                                        timeout: .init(connect: .seconds(15), read: .seconds(60))))
        let results = await withTaskGroup(of: (Int, Result<(FetchOutcome, PendingInstall?), PipelineError>).self) { group in
            for (index, source) in sources.enumerated() {
                group.addTask {
                    do throws(PipelineError) {
                        return (index, .success(try await fetchOne(source, client: client, progress: progress, install: install)))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var collected: [(Int, Result<(FetchOutcome, PendingInstall?), PipelineError>)] = []
            for await result in group { collected.append(result) }
            return collected.sorted { $0.0 < $1.0 }.map(\.1)
        }
        try? await client.shutdown()
        return results
    }

    /// Fetches one source; with `install` false, a new CSV stays staged and comes back as the pending install.
    private func fetchOne(_ source: FetchSource, client: HTTPClient, progress: ProgressReporter,
                          install: Bool) async throws(PipelineError) -> (FetchOutcome, PendingInstall?) {
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
                        return (FetchOutcome(variable: name, source: source.location, status: .notModified, csvPath: csv,
                                             bytesTransferred: 0, sha256: previous.sha256, attempts: attempt,
                                             seconds: Date().timeIntervalSince(started)), nil)
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
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: source.location, isDirectory: &isDirectory) else {
                progress.finish(name, message: "failed")
                throw PipelineError(.fetch, "\(name): no such file \(source.location)")
            }
            guard !isDirectory.boolValue else {
                progress.finish(name, message: "failed")
                throw PipelineError(.fetch, "\(name): \(source.location) is a directory; give the .zip or .csv file itself")
            }
            do {
                try? FileManager.default.removeItem(atPath: partPath)
                try FileManager.default.copyItem(atPath: source.location, toPath: partPath)
            } catch {
                progress.finish(name, message: "failed")
                try? FileManager.default.removeItem(atPath: partPath)
                throw PipelineError(.fetch, "\(name): cannot copy \(source.location) into \(dataDirectory): \(error.localizedDescription)")
            }
            transferred = (try? FileManager.default.attributesOfItem(atPath: partPath)[.size] as? Int) ?? 0
        }

        guard let data = FileManager.default.contents(atPath: partPath) else {
            throw PipelineError(.fetch, "\(name): cannot read the copy of \(source.location) in \(dataDirectory)")
        }
        let digest = ModelFile.sha256([UInt8](data))
        if let previous, previous.sha256 == digest {
            try? FileManager.default.removeItem(atPath: partPath)
            Self.writeRecord(SourceRecord(source: source.location, sha256: digest, etag: etag ?? previous.etag,
                                     lastModified: lastModified ?? previous.lastModified), to: recordPath)
            progress.finish(name, message: "unchanged (same SHA-256 as the last fetch)")
            return (FetchOutcome(variable: name, source: source.location, status: .unchanged, csvPath: csv,
                                 bytesTransferred: transferred, sha256: digest, attempts: attempts,
                                 seconds: Date().timeIntervalSince(started)), nil)
        }
        // Extracted under a staging name and checked there: the CSV ingest reads is replaced
        // only by a file that passed every check.
        let staged = "\(dataDirectory)/.\(name).csv.staged-\(getpid())"
        var keepStaged = false
        defer { if !keepStaged { unlink(staged) } }
        do throws(PipelineError) {
            if Unzipper.isZip(path: partPath) {
                try unzipper.extractCSV(from: partPath, to: staged, preferredName: name, entry: source.entry, name: source.location)
            } else {
                try Self.installPlainCSV(from: partPath, to: staged, source: source.location)
            }
            try validate(staged, variable: source.variable, replacing: csv, source: source.location)
        } catch {
            try? FileManager.default.removeItem(atPath: partPath)
            progress.finish(name, message: "failed")
            throw error
        }
        let pending = PendingInstall(source: source.location, staged: staged, csv: csv, part: partPath, raw: rawPath,
                                     record: SourceRecord(source: source.location, sha256: digest, etag: etag, lastModified: lastModified),
                                     recordPath: recordPath)
        if install {
            do throws(PipelineError) {
                try pending.install()
            } catch {
                progress.finish(name, message: "failed")
                throw error
            }
        } else {
            keepStaged = true
        }
        progress.finish(name, message: "\(source.isRemote ? "downloaded" : "copied") \(ProgressReporter.amount(Double(transferred), unit: "B")) -> \(install ? csv : "checked, installed once ingest succeeds")")
        return (FetchOutcome(variable: name, source: source.location, status: .updated, csvPath: csv,
                             bytesTransferred: transferred, sha256: digest, attempts: attempts,
                             seconds: Date().timeIntervalSince(started)), install ? nil : pending)
    }

    /// Checks the staged CSV before it may replace `current`: every row parses (as ingest
    /// will read it), there is at least one data row, and, unless ``allowPartialFiles``, it
    /// covers at least the hours and the city columns of `current`. A CSV that ends earlier
    /// than the one it replaces is nearly always a download cut at a line end.
    func validate(_ staged: String, variable: Variable, replacing current: String, source: String) throws(PipelineError) {
        let table = try WideCSVReader.read(path: staged, variable: variable, selection: .all, name: source)
        guard let first = table.times.first, let last = table.times.last else {
            throw PipelineError(.data, "\(source) has a header but no data rows (an empty export or a download cut short?); \(current) is unchanged")
        }
        guard !allowPartialFiles, FileManager.default.fileExists(atPath: current),
              let previous = try? WideCSVReader.read(path: current, variable: variable, selection: .named([])),
              let previousFirst = previous.times.first, let previousLast = previous.times.last else { return }
        var problems: [String] = []
        if first > previousFirst || last < previousLast {
            problems.append("it covers \(Self.span(first, last, table.rowCount)), but \(current) covers \(Self.span(previousFirst, previousLast, previous.rowCount))")
        }
        let columns = Set(table.headerCities)
        let lost = previous.headerCities.filter { !columns.contains($0) }
        if !lost.isEmpty {
            problems.append("it lacks \(lost.count) of the city columns \(current) has (\(WideCSVReader.quoted(lost.joined(separator: ", "), limit: 200)))")
        }
        guard !problems.isEmpty else { return }
        throw PipelineError(.data, """
            refusing to replace \(current) with \(source): \(problems.joined(separator: "; and ")). A file that ends early \
            is usually a truncated download. The previous files are unchanged; to use it anyway, pass \(CoverageCheck.overrideFlag).
            """)
    }

    /// `2012-10-01 12:00 .. 2017-11-30 00:00 UTC (45,253 rows)`.
    static func span(_ first: Int64, _ last: Int64, _ rows: Int) -> String {
        "\(CoverageCheck.hour(first)) .. \(CoverageCheck.hour(last)) UTC (\(CoverageCheck.grouped(rows)) row\(rows == 1 ? "" : "s"))"
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
            throw PipelineError(.fetch, "cannot copy \(source) into \((destination as NSString).deletingLastPathComponent): \(error.localizedDescription)")
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
            throw DownloadFailure(message: "cannot create a file in \(dataDirectory) for the download of \(url)", retryable: false)
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

    static func writeRecord(_ record: SourceRecord, to path: String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if let data = try? encoder.encode(record) { try? AtomicFile.write(data, to: path) }
    }
}

/// A new CSV that passed fetch's checks, waiting under its staging name to replace the
/// current one (with its raw download and source record).
struct PendingInstall: Sendable {
    var source: String
    var staged: String
    var csv: String
    var part: String
    var raw: String
    var record: SourceRecord
    var recordPath: String

    /// Renames the staged CSV and the download over the current ones and records the source.
    func install() throws(PipelineError) {
        guard rename(staged, csv) == 0 else {
            let reason = String(cString: strerror(errno))
            discard()
            throw PipelineError(.fetch, "cannot move the new CSV of \(source) to \(csv): \(reason); the previous files are unchanged")
        }
        guard rename(part, raw) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: part)
            throw PipelineError(.fetch, "installed the new \(csv), but cannot keep the download of \(source) as \(raw): \(reason)")
        }
        Fetcher.writeRecord(record, to: recordPath)
    }

    /// Removes the staged CSV and the download; the current files stay.
    func discard() {
        unlink(staged)
        unlink(part)
    }
}

/// What ``Fetcher/stage(_:progress:)`` fetched and checked, not installed yet.
public struct StagedFetch: Sendable {
    /// One outcome per source, in order.
    public var outcomes: [FetchOutcome]
    var pending: [PendingInstall]

    /// The CSV to read for `outcome`'s variable now: the staged file when a new one was
    /// fetched, else the current one.
    public func csvToRead(_ outcome: FetchOutcome) -> String {
        pending.first { $0.csv == outcome.csvPath }?.staged ?? outcome.csvPath
    }

    /// Installs every staged CSV (see ``Fetcher``).
    public func install() throws(PipelineError) {
        for item in pending { try item.install() }
    }

    /// Removes every staged file; the current files stay as they were.
    public func discard() {
        for item in pending { item.discard() }
    }
}
