import ForecastConfiguration
import ForecastPipeline
import ForecastStore
import Foundation
import ModelFiles
import PluginBinding
import TestSupport
import Testing

/// Sample data through fetch, ingest, store and train to model files, for every plugin
/// the build produced; then a backtest. The same run on PostgreSQL when it is configured.
enum EndToEnd {
    static func plugins() throws -> [LoadedPlugin] {
        let registry = try PluginRegistry.discover(in: [BuildProducts.directory])
        #expect(registry.plugin(named: "seasonal-naive") != nil || !registry.plugins.isEmpty,
                "no plugins in \(BuildProducts.directory): run `swift build` before `swift test`")
        return registry.plugins
    }

    static func run(store: any ObservationStore, directory: Scratch) async throws {
        let sample = try SampleDataGenerator(hours: 24 * 28).write(to: directory.file("sample"))
        let fetcher = Fetcher(dataDirectory: directory.file("work/data"), retries: 0)
        let fetched = try await fetcher.fetch([FetchSource(variable: .temperature, location: sample[0]),
                                               FetchSource(variable: .humidity, location: sample[1])],
                                              progress: ProgressReporter(mode: .silent))
        #expect(fetched.map(\.status) == [.updated, .updated])
        let cities = ["San Francisco"]
        let ingested = try Ingestor(temperaturePath: fetcher.csvPath(.temperature), humidityPath: fetcher.csvPath(.humidity),
                                    selection: .named(cities), processedDirectory: directory.file("work/processed")).run()
        try store.upsert(ingested.observations)
        #expect(try store.cities() == cities.sorted())

        let plugins = try plugins()
        let repository = ModelRepository(root: directory.file("work/models"))
        let jobs = Trainer.jobs(plugins: plugins, cities: cities, config: ForecastConfig())
        // --max-points keeps the debug-build suite fast; the newest 360 hours are trained on.
        let trainer = Trainer(repository: repository, maxPoints: 360)
        let results = try trainer.run(jobs, store: store, progress: ProgressReporter(mode: .silent))
        #expect(results.count == plugins.count * cities.count * 2)
        for result in results {
            #expect(result.ok, "\(result.plugin) \(result.city) \(result.variable): \(result.error ?? "")")
            guard result.ok else { continue }
            let file = try repository.read(plugin: result.plugin, city: result.city, variable: result.variable)
            let stored = try #require(try store.series(city: result.city, from: nil, to: nil))
            let variable = Variable(rawValue: result.variable)!
            let series = trainer.limited(try #require(SeriesExtractor().series(stored, variable: variable)))
            #expect(series.count == 360)
            #expect(file.manifest.count == series.count && file.manifest.lastTime == series.lastTime)
            #expect(file.manifest.firstTime == series.startTime && file.manifest.city == result.city)
            let plugin = try #require(plugins.first { $0.name == result.plugin })
            #expect(file.manifest.pluginVersion == plugin.version && file.manifest.abiVersion == plugin.abiVersion)
            let forecast = try plugin.loadModel(file.blob).forecast(horizon: 72)
            #expect(forecast.mean.count == 72)
        }
    }
}

extension EndToEnd {
    /// Runs the `forecast` executable with `arguments` in `directory`; returns its standard output.
    static func forecast(_ arguments: [String], in directory: String) throws -> (status: Int32, output: String, errors: String) {
        let run = try ForecastCommand.run(arguments, in: directory)
        return (run.status, run.output, run.errors)
    }

    /// `forecast sample-data` then `forecast pipeline` on `databaseURL` (nil: the default SQLite file).
    static func runCLI(databaseURL: String?, directory: Scratch) throws {
        guard FileManager.default.fileExists(atPath: BuildProducts.forecastExecutable) else {
            Issue.record("\(BuildProducts.forecastExecutable) is missing: run `swift build` before `swift test`")
            return
        }
        let sample = try forecast(["sample-data", "--out", "sample", "--hours", "\(24 * 28)"], in: directory.path)
        #expect(sample.status == 0, "\(sample.errors)")
        var arguments = ["pipeline", "--temperature", "sample/temperature.csv.zip", "--humidity", "sample/humidity.csv.zip",
                         "--max-points", "360", "--json"]
        if let databaseURL { arguments += ["--database", databaseURL] }
        let run = try forecast(arguments, in: directory.path)
        #expect(run.status == 0, "forecast pipeline failed: \(run.errors)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any], "\(run.output)")
        let timings = try #require(report["timings"] as? [[String: Any]])
        #expect(timings.compactMap { $0["step"] as? String } == ["fetch", "ingest", "train"])
        let plugins = try plugins()
        let repository = ModelRepository(root: directory.file("forecast-data/models"))
        let store = try StoreFactory.open(url: databaseURL ?? "sqlite://" + directory.file("forecast-data/forecast.db"))
        #expect(try store.cities() == ["San Francisco"])
        #expect(FileManager.default.fileExists(atPath: directory.file("forecast-data/processed/san-francisco.csv")))
        for plugin in plugins {
            for variable in ["temperature", "humidity"] {
                let file = try repository.read(plugin: plugin.name, city: "San Francisco", variable: variable)
                #expect(file.manifest.count == 360 && file.manifest.pluginVersion == plugin.version)
                let stored = try #require(try store.series(city: "San Francisco", from: nil, to: nil))
                let series = try #require(SeriesExtractor().series(stored, variable: Variable(rawValue: variable)!))
                #expect(file.manifest.lastTime == series.lastTime)
            }
        }
    }
}

@Suite("End to end")
struct EndToEndTests {
    @Test("forecast sample-data, then forecast pipeline on the default SQLite store: model files for every plugin")
    func cliSQLite() throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        try EndToEnd.runCLI(databaseURL: nil, directory: directory)
    }

    // On a database of its own, so that no PostgreSQL store test truncates its tables meanwhile.
    @Test("end to end: forecast sample-data, then forecast pipeline --database postgresql://...: model files for every plugin",
          .enabled(if: TestPostgres.isConfigured, "FORECAST_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped"))
    func cliPostgres() throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        try EndToEnd.runCLI(databaseURL: try SharedModelsTests.freshDatabase("forecast_end_to_end"), directory: directory)
    }

    @Test("library level: sample data -> fetch -> ingest -> SQLite -> train -> model files that forecast")
    func sqlite() async throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let store = try StoreFactory.open(url: "sqlite://" + directory.file("work/forecast.db"))
        try await EndToEnd.run(store: store, directory: directory)
    }

    @Test("a failing plugin publishes nothing and leaves the previous model; the others still train")
    func failureKeepsPreviousModel() throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.file("f.db"))
        try store.migrate()
        let base = Timestamp.parse("2017-01-01 00:00:00")!
        let rows = (0..<24 * 20).map { (hour: Int) -> Observation in
            let temperature: Double = 280 + 5 * sin(Double(hour) * .pi / 12)
            return Observation(city: "X", time: base + Int64(hour) * 3600, temperature: temperature, humidity: 60)
        }
        try store.upsert(rows)
        let plugin = try BuildProducts.plugin("SeasonalNaive")
        let repository = ModelRepository(root: directory.file("models"))
        let trainer = Trainer(repository: repository)
        let good = try trainer.run(Trainer.jobs(plugins: [plugin], cities: ["X"], config: ForecastConfig()), store: store,
                                   progress: ProgressReporter(mode: .silent))
        #expect(good.allSatisfy { $0.ok })
        let before = try repository.read(plugin: plugin.name, city: "X", variable: "temperature")
        // Invalid options make the plugin's train fail for both variables.
        let config = try ForecastConfig.parse(Data(#"{"plugins": {"\#(plugin.name)": {"options": {"period": -3}}}}"#.utf8))
        let bad = try trainer.run(Trainer.jobs(plugins: [plugin], cities: ["X", "Nowhere"], config: config), store: store,
                                  progress: ProgressReporter(mode: .silent))
        #expect(bad.allSatisfy { !$0.ok })
        #expect(bad.contains { $0.city == "Nowhere" && $0.error?.contains("no temperature observations") == true })
        #expect(try repository.read(plugin: plugin.name, city: "X", variable: "temperature") == before)
    }

    @Test("backtest: rolling origins, MAE/RMSE/coverage per band, condition or refit")
    func backtest() throws {
        let plugin = try BuildProducts.plugin("SeasonalNaive")
        let base = Timestamp.parse("2017-01-01 00:00:00")!
        let values = (0..<24 * 30).map { (hour: Int) -> Double in
            let daily: Double = 5 * sin(Double(hour) * .pi / 12)
            return 280 + daily + Double(hour % 7) * 0.1
        }
        let series = TimeSeries(values: values, startTime: base)
        for refit in [false, true] {
            let report = try Backtester(origins: 4, step: 48, horizon: 72, forceRefit: refit)
                .run(plugin: plugin, series: series, options: "{}", city: "X", variable: .temperature)
            #expect(report.mode == (plugin.supportsConditioning && !refit ? "condition" : "refit"))
            #expect(Set(report.mae.keys) == ["1-24", "25-48", "49-72"])
            #expect(report.originTimes.count == 4)
            #expect(report.originTimes.last == base + Int64(values.count - 72) * 3600)
            for band in ["1-24", "25-48", "49-72"] {
                #expect(report.mae[band]! >= 0 && report.rmse[band]! >= report.mae[band]!)
                #expect((0...1).contains(report.coverage[band]!))
            }
            let json = try JSONOutput.render(report)
            let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
            #expect((object?["mae"] as? [String: Double])?.count == 3)
        }
        #expect(throws: PipelineError.self) {
            _ = try Backtester(origins: 10, step: 168).run(plugin: plugin, series: series, options: "{}", city: "X", variable: .temperature)
        }
    }
}

