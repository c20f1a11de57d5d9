import ArgumentParser
import ForecastPipeline
import Foundation

/// `forecast fetch`: download (or copy) the sources, one per variable, into `<workdir>/data` and extract the CSVs.
struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download the variables' sources (temperature and humidity by default) in parallel into <workdir>/data and extract the CSVs.",
        discussion: """
            A source is an http(s) URL or a local path, a .zip archive or a plain .csv. Downloads \
            retry with backoff, land by temp file and rename, and are skipped when the server says \
            the file has not changed (ETag / Last-Modified) or its SHA-256 is the same as last time. \
            `--only temperature` (or humidity) fetches one source, so that a scheduler can run the \
            two downloads as separate tasks.

            Pressure and wind speed come in the same wide format (the data set's pressure.csv and \
            wind_speed.csv) but have no public default source: name one with --pressure / --wind-speed \
            (a zip of the whole data set works, with --pressure-entry pressure.csv). --variables picks \
            any subset (e.g. --variables humidity); a selected variable without a source is an error.

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
    @OptionGroup var variables: VariableOptions

    @Option(name: .long, help: ArgumentHelp("Fetch only this source: temperature or humidity (default: both).", valueName: "variable"))
    var only: Variable?

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    func run() async throws {
        let list = try sources.list(for: try variables.selected())
        let outcomes = try await Self.perform(global: global, sources: list, only: only, retries: sources.retries,
                                              backoff: sources.backoff, allowPartialFiles: partial.allowPartialFiles)
        if json {
            print(try JSONOutput.render(outcomes))
        } else {
            for outcome in outcomes {
                print("\(outcome.variable): \(outcome.status.rawValue) -> \(outcome.csvPath) (sha256 \(outcome.sha256.prefix(12)), \(outcome.bytesTransferred) bytes, \(String(format: "%.2f", outcome.seconds)) s)")
            }
        }
    }

    /// Runs the step; shared with `forecast pipeline`.
    static func perform(global: GlobalOptions, sources: [FetchSource], only: Variable? = nil, retries: Int = 3,
                        backoff: Double = 1, allowPartialFiles: Bool) async throws -> [FetchOutcome] {
        let fetcher = Fetcher(dataDirectory: global.resolvedWorkdir + "/data", retries: retries,
                              initialBackoff: backoff, allowPartialFiles: allowPartialFiles)
        let progress = ProgressReporter()
        defer { progress.close() }
        return try await fetcher.fetch(sources.filter { only == nil || $0.variable == only }, progress: progress)
    }

    /// Fetches and checks the sources of `variables` (nil: the default set) without installing them (`forecast pipeline`).
    static func stage(global: GlobalOptions, sources: SourceOptions, variables: [Variable]?, allowPartialFiles: Bool) async throws -> StagedFetch {
        let fetcher = Fetcher(dataDirectory: global.resolvedWorkdir + "/data", retries: sources.retries,
                              initialBackoff: sources.backoff, allowPartialFiles: allowPartialFiles)
        let progress = ProgressReporter()
        defer { progress.close() }
        return try await fetcher.stage(try sources.list(for: variables), progress: progress)
    }
}

/// Where each variable's input comes from (`fetch` and `pipeline`).
struct SourceOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Temperature source: URL or path, .zip or .csv.", valueName: "source"))
    var temperature = FetchSource.defaults[0].location

    @Option(name: .long, help: ArgumentHelp("Humidity source: URL or path, .zip or .csv.", valueName: "source"))
    var humidity = FetchSource.defaults[1].location

    @Option(name: .customLong("temperature-entry"), help: ArgumentHelp("The CSV entry to use when the temperature zip holds several.", valueName: "name"))
    var temperatureEntry: String?

    @Option(name: .customLong("humidity-entry"), help: ArgumentHelp("The CSV entry to use when the humidity zip holds several.", valueName: "name"))
    var humidityEntry: String?

    @Option(name: .long, help: ArgumentHelp("Pressure source (hPa, the data set's pressure.csv): URL or path, .zip or .csv; no default.", valueName: "source"))
    var pressure: String?

    @Option(name: .customLong("wind-speed"), help: ArgumentHelp("Wind speed source (m/s, the data set's wind_speed.csv): URL or path, .zip or .csv; no default.", valueName: "source"))
    var windSpeed: String?

    @Option(name: .customLong("pressure-entry"), help: ArgumentHelp("The CSV entry to use when the pressure zip holds several.", valueName: "name"))
    var pressureEntry: String?

    @Option(name: .customLong("wind-speed-entry"), help: ArgumentHelp("The CSV entry to use when the wind speed zip holds several.", valueName: "name"))
    var windSpeedEntry: String?

    @Option(name: .long, help: "Retries after a failed download attempt.")
    var retries = 3

    @Option(name: .long, help: ArgumentHelp("First retry delay in seconds (doubles each time).", valueName: "seconds"))
    var backoff = 1.0

    /// The source given (or defaulted) for each variable that has one.
    var given: [Variable: FetchSource] {
        var sources: [Variable: FetchSource] = [
            .temperature: FetchSource(variable: .temperature, location: temperature, entry: temperatureEntry),
            .humidity: FetchSource(variable: .humidity, location: humidity, entry: humidityEntry),
        ]
        if let pressure { sources[.pressure] = FetchSource(variable: .pressure, location: pressure, entry: pressureEntry) }
        if let windSpeed { sources[.windSpeed] = FetchSource(variable: .windSpeed, location: windSpeed, entry: windSpeedEntry) }
        return sources
    }

    /// The sources of `variables` in table order; nil: every variable that has a source
    /// (temperature and humidity always). A selected variable without a source is an error.
    func list(for variables: [Variable]?) throws -> [FetchSource] {
        let given = given
        guard let variables else { return Variable.allCases.compactMap { given[$0] } }
        return try variables.map { variable in
            guard let source = given[variable] else {
                throw ValidationError("no source for \(variable.name): pass --\(variable.name.replacingOccurrences(of: "_", with: "-")) <URL or path> (the data set's \(variable.name).csv, or its zip with --\(variable.name.replacingOccurrences(of: "_", with: "-"))-entry \(variable.name).csv)")
            }
            return source
        }
    }
}
