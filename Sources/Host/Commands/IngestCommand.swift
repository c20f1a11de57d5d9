import ArgumentParser
import ForecastPipeline
import ForecastStore
import Foundation

/// `forecast ingest`: process the fetched CSVs into one clean series per city and load the store.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Keep the chosen cities, join the variables (temperature, humidity, ...) on time, validate, fill short gaps, write processed CSVs and load the store.",
        discussion: """
            Reads <workdir>/data/<variable>.csv (what `forecast fetch` writes): temperature.csv and \
            humidity.csv, plus pressure.csv and wind_speed.csv when they are there; --variables picks \
            any subset (--variables humidity ingests a humidity file alone, and leaves the stored \
            temperatures as they are), and a selected variable whose file is missing is an error. \
            Gaps of up to --max-gap hours are interpolated linearly; longer gaps and empty ends are \
            never invented. Writes <workdir>/processed/<city>.csv and loads the store in one \
            transaction (an upsert: loading twice leaves the same rows; a failure leaves the store unchanged).

            A load never replaces a stored value with a missing one. A file that covers fewer hours \
            than the store holds for a city and variable, has no values for one, or shares no hour with \
            the other variable's file is refused with both time ranges, and nothing is written; \
            --allow-partial-files loads it anyway (hours the file lacks keep their stored values).
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: IngestOptions
    @OptionGroup var partial: PartialFileOptions
    @OptionGroup var variables: VariableOptions

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    func validate() throws { try selection.check() }

    func run() async throws {
        let report = try Self.perform(global: global, options: selection, variables: try variables.selected(),
                                      allowPartialFiles: partial.allowPartialFiles)
        if json { print(try JSONOutput.render(report)) } else { report.printText() }
    }

    /// The step's result.
    struct Report: Encodable {
        var cities: [CitySummary]
        var rowsLoaded: Int
        /// How the files compared with the hours the store held (nil: it held none of these cities).
        var overlap: OverlapResolution.Report?
        var store: String
        var maxInterpolatedGapHours: Int
        /// Parse, validate and clean.
        var processSeconds: Double
        /// The store load (one transaction), with the processed CSVs written meanwhile.
        var loadSeconds: Double
        var seconds: Double

        func printText() {
            for city in cities {
                print("\(city.city): read \(city.rowsRead) rows, kept \(city.rowsKept) hours \(city.firstTime.map(Timestamp.format) ?? "-") .. \(city.lastTime.map(Timestamp.format) ?? "-")")
                for name in city.ingestedVariables {
                    let variable = city.variables[name]!
                    print("  \(name.name): \(variable.observed) observed, \(variable.interpolated) interpolated, \(variable.longGaps) gap(s) over \(maxInterpolatedGapHours) h left open (\(variable.longGapHours) h), trimmed \(variable.trimmedStart) h at the start and \(variable.trimmedEnd) h at the end, \(variable.segments) segment(s)")
                }
                print("  dropped \(city.dropped.total) hours without any value: \(city.dropped.leadingEmpty) before the first observation, \(city.dropped.trailingEmpty) after the last, \(city.dropped.longGap) in long gaps")
                if let path = city.processedPath { print("  wrote \(path)") }
            }
            if let overlap {
                print("compared with the store: \(overlap.newValues) new values, \(overlap.unchangedValues) unchanged, \(overlap.replacedInterpolated) replacing interpolated ones, \(overlap.conflicts) conflicting with stored measurements" + (overlap.conflicts > 0 ? " (\(overlap.policy == .keep ? "the stored values kept" : "the file's values loaded"); --on-conflict decides)" : ""))
                for conflict in overlap.named { print("  conflict: \(conflict)") }
                if overlap.conflicts > overlap.named.count { print("  ... and \(overlap.conflicts - overlap.named.count) more") }
            }
            print("loaded \(rowsLoaded) rows into \(store) in one transaction (process \(String(format: "%.2f", processSeconds)) s, load \(String(format: "%.2f", loadSeconds)) s)")
        }
    }

    /// Runs the step; shared with `forecast pipeline`.
    ///
    /// `staged` (the pipeline) reads the CSVs fetch has checked but not installed yet, and
    /// names them by their sources in messages.
    static func perform(global: GlobalOptions, options: IngestOptions, variables selected: [Variable]? = nil,
                        allowPartialFiles: Bool, staged: StagedFetch? = nil) throws -> Report {
        let started = Date()
        let config = try global.loadConfig()
        let data = global.resolvedWorkdir + "/data"
        var inputs: [Variable: IngestInput] = [:]
        for variable in Variable.allCases {
            // Messages name the file as the user knows it: a fetched CSV with its source.
            let given = options.csv(variable)
            inputs[variable] = IngestInput(variable: variable, path: given ?? "\(data)/\(variable.name).csv",
                                           name: given ?? fetchedName(data, variable))
        }
        for outcome in staged?.outcomes ?? [] {
            guard let variable = Variable(named: outcome.variable), options.csv(variable) == nil,
                  let path = staged?.csvToRead(outcome), path != outcome.csvPath else { continue }
            inputs[variable] = IngestInput(variable: variable, path: path, name: outcome.source)
        }
        // Temperature and humidity are read by default (a missing one is an error, as it
        // always was); the other variables when their file is there.
        let chosen = selected ?? Variable.allCases.filter { variable in
            Variable.defaults.contains(variable) || options.csv(variable) != nil
                || FileManager.default.fileExists(atPath: inputs[variable]!.path)
        }
        for variable in chosen where !FileManager.default.fileExists(atPath: inputs[variable]!.path) {
            let flag = "--\(variable.name.replacingOccurrences(of: "_", with: "-"))"
            throw PipelineError(.usage, "no \(variable.name) file: \(inputs[variable]!.path) does not exist; run `forecast fetch --variables \(variable.name)\(Variable.defaults.contains(variable) ? "" : " \(flag) <source>")`, pass \(flag)-csv <file>, or leave \(variable.name) out with --variables")
        }
        let ingestor = Ingestor(
            inputs: chosen.map { inputs[$0]! },
            selection: options.allCities ? .all : .named(options.cities.isEmpty ? [config.defaultCity] : options.cities),
            gapPolicy: GapPolicy(maxInterpolatedHours: options.maxGap),
            processedDirectory: global.resolvedWorkdir + "/processed")
        let ingested = try ingestor.process()
        let result = ingested.result
        // Compared with the store before anything is written: a file that covers fewer hours
        // than the store (a truncated download) is refused, not loaded.
        let stored = try StoreFactory.coverage(url: global.resolvedDatabaseURL, cities: result.summaries.map(\.city))
        try CoverageCheck(files: Dictionary(uniqueKeysWithValues: ingestor.inputs.map { ($0.variable, $0.shownName) }),
                          allowPartialFiles: allowPartialFiles)
            .check(result.summaries, stored: stored)
        // Hours the store holds already: equal values change nothing, a measurement that
        // differs from a stored one is a conflict that --on-conflict settles.
        let overlap = try resolveOverlap(result.batch, url: global.resolvedDatabaseURL, stored: stored, policy: options.onConflict)
        let batch = overlap?.batch ?? result.batch
        let processed = Date()
        // The processed CSVs are written on the other core while the store loads; the load
        // commits only once they are all written, so a failure of either leaves the store
        // unchanged (and a failed load leaves the new CSVs, as when they were written first).
        let files = BackgroundWork { () throws(PipelineError) in try ingested.writeFiles(concurrently: false) }
        let progress = ProgressReporter()
        progress.begin("load", label: "load", total: Double(batch.count), unit: "rows")
        do {
            try StoreFactory.load(batch, url: global.resolvedDatabaseURL,
                                  progress: { progress.update("load", done: Double($0)) },
                                  beforeCommit: { try files.wait() })
        } catch let error as PipelineError {
            progress.finish("load", message: "failed, nothing written")
            progress.close()
            throw error
        } catch let error as StoreError where error.kind == .badURL || error.kind == .connection || error.kind == .migration {
            try? files.wait()
            progress.finish("load", message: "failed")
            progress.close()
            throw error
        } catch {
            try? files.wait()
            progress.finish("load", message: "failed, nothing written")
            progress.close()
            throw PipelineError(.store, "loading \(batch.count) rows failed; the store is unchanged: \(error)")
        }
        progress.finish("load", message: "\(batch.count) rows")
        progress.close()
        let finished = Date()
        return Report(cities: result.summaries, rowsLoaded: batch.count, overlap: overlap?.report,
                      store: URLRedaction.redacted(global.resolvedDatabaseURL), maxInterpolatedGapHours: options.maxGap,
                      processSeconds: processed.timeIntervalSince(started), loadSeconds: finished.timeIntervalSince(processed),
                      seconds: finished.timeIntervalSince(started))
    }

    /// The batch to load after comparing it with the store's hours, or nil when the store
    /// holds nothing for these cities (nothing to compare; a missing SQLite file is not created).
    static func resolveOverlap(_ batch: ObservationBatch, url: String, stored: [String: StoredCoverage],
                               policy: OverlapResolution.Policy) throws -> (batch: ObservationBatch, report: OverlapResolution.Report)? {
        guard !stored.isEmpty else { return nil }
        let store = try StoreFactory.open(url: url)
        return try OverlapResolution.resolve(batch, store: store, policy: policy)
    }

    /// `<data>/temperature.csv (fetched from <source>)`, from the record fetch keeps beside it.
    static func fetchedName(_ data: String, _ variable: Variable) -> String {
        let csv = "\(data)/\(variable.rawValue).csv"
        struct Record: Decodable { var source: String }
        guard let bytes = FileManager.default.contents(atPath: "\(data)/\(variable.rawValue).source.json"),
              let record = try? JSONDecoder().decode(Record.self, from: bytes) else { return csv }
        return "\(csv) (fetched from \(record.source))"
    }
}

/// Which cities and files ingest processes (`ingest` and `pipeline`).
struct IngestOptions: ParsableArguments {
    @Option(name: .customLong("city"), help: ArgumentHelp("A city column to keep; repeat for several (default: plugins.json's defaultCity, San Francisco).", valueName: "name"))
    var cities: [String] = []

    @Flag(name: .customLong("all-cities"), help: "Keep every city column.")
    var allCities = false

    @Option(name: .customLong("on-conflict"), help: ArgumentHelp(
        "When a file's measurement differs from the one stored for that hour: keep the stored one, replace it, or refuse the whole load.",
        valueName: "keep|replace|refuse"))
    var onConflict: OverlapResolution.Policy = .keep

    @Option(name: .customLong("max-gap"), help: ArgumentHelp("The longest run of missing hours that is interpolated.", valueName: "hours"))
    var maxGap = 3

    @Option(name: .customLong("temperature-csv"), help: ArgumentHelp("Temperature CSV (default <workdir>/data/temperature.csv).", valueName: "file"))
    var temperatureCSV: String?

    @Option(name: .customLong("humidity-csv"), help: ArgumentHelp("Humidity CSV (default <workdir>/data/humidity.csv).", valueName: "file"))
    var humidityCSV: String?

    @Option(name: .customLong("pressure-csv"), help: ArgumentHelp("Pressure CSV in hPa (default <workdir>/data/pressure.csv, read when it exists).", valueName: "file"))
    var pressureCSV: String?

    @Option(name: .customLong("wind-speed-csv"), help: ArgumentHelp("Wind speed CSV in m/s (default <workdir>/data/wind_speed.csv, read when it exists).", valueName: "file"))
    var windSpeedCSV: String?

    /// The CSV given for `variable`, nil when none was.
    func csv(_ variable: Variable) -> String? {
        switch variable {
        case .temperature: temperatureCSV
        case .humidity: humidityCSV
        case .pressure: pressureCSV
        case .windSpeed: windSpeedCSV
        }
    }

    func check() throws {
        if allCities && !cities.isEmpty { throw ValidationError("use either --city or --all-cities, not both") }
        if maxGap < 0 || maxGap > 48 { throw ValidationError("--max-gap must be between 0 and 48 hours") }
    }
}

/// Whether a file that covers fewer hours than the store (or than the file it replaces, or
/// than the other variable's file) may be used (`fetch`, `ingest` and `pipeline`).
struct PartialFileOptions: ParsableArguments {
    @Flag(name: .customLong("allow-partial-files"), help: ArgumentHelp(
        "Use a file even when it covers fewer hours than the store or the file it replaces, or no hour of the other variable's file; hours it lacks keep their stored values."))
    var allowPartialFiles = false
}
extension OverlapResolution.Policy: ExpressibleByArgument {}
