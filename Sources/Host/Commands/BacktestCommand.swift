import ArgumentParser
import ForecastPipeline
import ForecastStore
import Foundation

/// `forecast backtest`: rolling-origin evaluation of one plugin from the store.
struct BacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Rolling-origin evaluation: MAE, RMSE and interval coverage per horizon band (1-24, 25-48, 49-72 h).",
        discussion: """
            Origins are --step hours apart, the last one --horizon hours before the end of the series. \
            From each origin the plugin forecasts using only earlier data: fitted once and conditioned \
            on the newer data when the plugin offers conditioning, else refitted at each origin (the \
            output says which). --origin-time (repeatable) places the origins explicitly instead. \
            --level is repeatable: coverage and Winkler's interval score are reported for each level. \
            --json prints one object with keys mae, rmse and coverage (for the first level), each keyed \
            by band, plus coverageByLevel and winkler (per level, then band), maeByLead, fitSeconds, \
            conditionSeconds and forecastSeconds; --forecasts adds every origin's forecast and observations.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "The plugin to evaluate.")
    var plugin: String

    @Option(name: .long, help: "The city (default: plugins.json's defaultCity).")
    var city: String?

    @Option(name: .long, help: "The variable to backtest.")
    var variable: Variable = .temperature

    @Option(name: .long, help: "Number of forecast origins.")
    var origins = 8

    @Option(name: .long, help: "Hours between origins.")
    var step = 168

    @Option(name: .long, help: "Hours forecast from each origin.")
    var horizon = 72

    @Option(name: .long, help: "Interval level for coverage and the interval score; repeat for several (the first is the headline).")
    var level: [Double] = [0.95]

    @Option(name: .customLong("origin-time"), help: ArgumentHelp("An origin's first forecast hour, 'YYYY-MM-DD HH:MM:SS' (UTC) or Unix seconds; repeat for several, increasing (replaces --origins/--step).", valueName: "time"))
    var originTime: [String] = []

    @Option(name: .long, help: ArgumentHelp("Training options as a JSON object, replacing plugins.json's for this plugin and variable.", valueName: "json"))
    var options: String?

    @Flag(name: .long, help: "With --json: include every origin's forecast, intervals and observations.")
    var forecasts = false

    @Flag(name: .long, help: "Refit at every origin even when the plugin can condition.")
    var refit = false

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard origins >= 1, step >= 1, horizon >= 1 else { throw ValidationError("--origins, --step and --horizon must be at least 1") }
        guard level.allSatisfy({ $0 > 0 && $0 < 1 }) else { throw ValidationError("--level must be between 0 and 1, e.g. 0.95") }
        for text in originTime where Self.parseTime(text) == nil {
            throw ValidationError("--origin-time '\(text)' is neither 'YYYY-MM-DD HH:MM:SS' nor Unix seconds")
        }
        if let options {
            guard (try? JSONSerialization.jsonObject(with: Data(options.utf8))) is [String: Any] else {
                throw ValidationError("--options must be a JSON object such as '{\"maxlag\": 72}'; got '\(options)'")
            }
        }
    }

    /// `YYYY-MM-DD HH:MM:SS` (or with `T`) in UTC, or Unix seconds.
    static func parseTime(_ text: String) -> Int64? {
        Timestamp.parse(text) ?? Int64(text)
    }

    func run() async throws {
        let config = try global.loadConfig()
        let registry = try global.discoverPlugins(config: config)
        guard let loaded = registry.plugin(named: plugin) else {
            throw ValidationError("no plugin named '\(plugin)' (found: \(registry.plugins.map(\.name).joined(separator: ", ")))")
        }
        let city = self.city ?? config.defaultCity
        let store = try global.openStore()
        guard let stored = try store.series(city: city, from: nil, to: nil),
              let series = SeriesExtractor().series(stored, variable: variable, acceptsMissingValues: loaded.acceptsMissingValues) else {
            throw PipelineError(.usage, "no \(variable.rawValue) observations for \(city) in the store; run `forecast ingest --city '\(city)'`")
        }
        let backtester = Backtester(origins: origins, step: step, horizon: horizon, levels: level, forceRefit: refit,
                                    originTimes: originTime.isEmpty ? nil : originTime.compactMap(Self.parseTime),
                                    includeForecasts: forecasts && json)
        let report = try backtester.run(plugin: loaded, series: series, options: options ?? config.options(for: plugin, variable: variable),
                                        city: city, variable: variable) { line in
            if !json { print(line) }
        }
        if json {
            print(try JSONOutput.render(report))
            return
        }
        print("\(report.plugin) on \(city) \(variable.rawValue): \(report.origins) origins, mode \(report.mode), fit \(String(format: "%.2f", report.fitSeconds)) s on \(report.trainingHours) hours")
        let keys = report.levels.map(Backtester.levelKey)
        let percent = report.levels.map { String(format: "%g%%", $0 * 100) }
        printTable(header: ["BAND", "MAE", "RMSE"] + percent.map { "COVER \($0)" } + percent.map { "WINKLER \($0)" },
                   rows: report.mae.keys.sorted { Self.bandStart($0) < Self.bandStart($1) }.map { band in
            [band, String(format: "%.3f", report.mae[band]!), String(format: "%.3f", report.rmse[band]!)]
                + keys.map { String(format: "%.1f%%", report.coverageByLevel[$0]![band]! * 100) }
                + keys.map { String(format: "%.3f", report.winkler[$0]![band]!) }
        })
    }

    static func bandStart(_ band: String) -> Int { Int(band.split(separator: "-").first ?? "0") ?? 0 }
}
