import ArgumentParser
import ForecastPipeline
import Foundation

/// `forecast fetch`: download (or copy) the two sources into `<workdir>/data` and extract the CSVs.
struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download the temperature and humidity sources in parallel into <workdir>/data and extract the CSVs.",
        discussion: """
            A source is an http(s) URL or a local path, a .zip archive or a plain .csv. Downloads \
            retry with backoff, land by temp file and rename, and are skipped when the server says \
            the file has not changed (ETag / Last-Modified) or its SHA-256 is the same as last time. \
            `--only temperature` (or humidity) fetches one source, so that a scheduler can run the \
            two downloads as separate tasks.

            Each new CSV is extracted under a staging name and checked before it replaces the one in \
            <workdir>/data: every row must parse, and it must cover at least the hours and city columns \
            of the CSV it replaces (a shorter file is nearly always a truncated download); otherwise it \
            is refused and the previous files stay. --allow-partial-files accepts a shorter file. A zip \
            holding several CSV entries is refused unless --temperature-entry / --humidity-entry names one.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var sources: SourceOptions
    @OptionGroup var partial: PartialFileOptions

    @Option(name: .long, help: ArgumentHelp("Fetch only this source: temperature or humidity (default: both).", valueName: "variable"))
    var only: Variable?

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    func run() async throws {
        let outcomes = try await Self.perform(global: global, sources: sources, only: only, allowPartialFiles: partial.allowPartialFiles)
        if json {
            print(try JSONOutput.render(outcomes))
        } else {
            for outcome in outcomes {
                print("\(outcome.variable): \(outcome.status.rawValue) -> \(outcome.csvPath) (sha256 \(outcome.sha256.prefix(12)), \(outcome.bytesTransferred) bytes, \(String(format: "%.2f", outcome.seconds)) s)")
            }
        }
    }

    /// Runs the step; shared with `forecast pipeline`.
    static func perform(global: GlobalOptions, sources: SourceOptions, only: Variable? = nil,
                        allowPartialFiles: Bool) async throws -> [FetchOutcome] {
        let fetcher = Fetcher(dataDirectory: global.resolvedWorkdir + "/data", retries: sources.retries,
                              initialBackoff: sources.backoff, allowPartialFiles: allowPartialFiles)
        let progress = ProgressReporter()
        defer { progress.close() }
        return try await fetcher.fetch(sources.list.filter { only == nil || $0.variable == only }, progress: progress)
    }

    /// Fetches and checks both sources without installing them (`forecast pipeline`).
    static func stage(global: GlobalOptions, sources: SourceOptions, allowPartialFiles: Bool) async throws -> StagedFetch {
        let fetcher = Fetcher(dataDirectory: global.resolvedWorkdir + "/data", retries: sources.retries,
                              initialBackoff: sources.backoff, allowPartialFiles: allowPartialFiles)
        let progress = ProgressReporter()
        defer { progress.close() }
        return try await fetcher.stage(sources.list, progress: progress)
    }
}

/// Where the two inputs come from (`fetch` and `pipeline`).
struct SourceOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Temperature source: URL or path, .zip or .csv.", valueName: "source"))
    var temperature = FetchSource.defaults[0].location

    @Option(name: .long, help: ArgumentHelp("Humidity source: URL or path, .zip or .csv.", valueName: "source"))
    var humidity = FetchSource.defaults[1].location

    @Option(name: .customLong("temperature-entry"), help: ArgumentHelp("The CSV entry to use when the temperature zip holds several.", valueName: "name"))
    var temperatureEntry: String?

    @Option(name: .customLong("humidity-entry"), help: ArgumentHelp("The CSV entry to use when the humidity zip holds several.", valueName: "name"))
    var humidityEntry: String?

    @Option(name: .long, help: "Retries after a failed download attempt.")
    var retries = 3

    @Option(name: .long, help: ArgumentHelp("First retry delay in seconds (doubles each time).", valueName: "seconds"))
    var backoff = 1.0

    /// The two sources.
    var list: [FetchSource] {
        [FetchSource(variable: .temperature, location: temperature, entry: temperatureEntry),
         FetchSource(variable: .humidity, location: humidity, entry: humidityEntry)]
    }
}
