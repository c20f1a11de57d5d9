import ArgumentParser
import ForecastPipeline
import ForecastStore
import Foundation
import PluginHost

/// `forecast backtest`: rolling-origin evaluation of one plugin from the store.
struct BacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Rolling-origin evaluation: MAE, RMSE and interval coverage per horizon band (1-24, 25-48, 49-72 h).",
        discussion: """
            Origins are --step hours apart, the last one --horizon hours before the end of the series. \
            From each origin the plugin forecasts using only earlier data: fitted once and conditioned \
            on the newer data when the plugin offers conditioning, else refitted at each origin (the \
            output says which). --json prints one object with keys mae, rmse and coverage, each keyed by band.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "The plugin to evaluate.")
    var plugin: String

    @Option(name: .long, help: "The city (default: plugins.json's defaultCity).")
    var city: String?

    @Option(name: .long, help: "temperature or humidity.")
    var variable: Variable = .temperature

    @Option(name: .long, help: "Number of forecast origins.")
    var origins = 8

    @Option(name: .long, help: "Hours between origins.")
    var step = 168

    @Option(name: .long, help: "Hours forecast from each origin.")
    var horizon = 72

    @Option(name: .long, help: "Interval level for coverage.")
    var level = 0.95

    @Flag(name: .long, help: "Refit at every origin even when the plugin can condition.")
    var refit = false

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard origins >= 1, step >= 1, horizon >= 1 else { throw ValidationError("--origins, --step and --horizon must be at least 1") }
        guard level > 0, level < 1 else { throw ValidationError("--level must be between 0 and 1, e.g. 0.95") }
    }

    func run() async throws {
        let config = try global.loadConfig()
        let registry = try global.discoverPlugins(config: config)
        guard let loaded = registry.plugin(named: plugin) else {
            throw ValidationError("no plugin named '\(plugin)' (found: \(registry.plugins.map(\.name).joined(separator: ", ")))")
        }
        let city = self.city ?? config.defaultCity
        let store = try global.openStore()
        let rows = try store.observations(city: city, from: nil, to: nil)
        guard let series = SeriesExtractor().series(rows, variable: variable) else {
            throw PipelineError(.usage, "no \(variable.rawValue) observations for \(city) in the store; run `forecast ingest --city '\(city)'`")
        }
        let backtester = Backtester(origins: origins, step: step, horizon: horizon, level: level, forceRefit: refit)
        let report = try backtester.run(plugin: loaded, series: series, options: config.options(for: plugin),
                                        city: city, variable: variable) { line in
            if !json { print(line) }
        }
        if json {
            print(try JSONOutput.render(report))
            return
        }
        print("\(report.plugin) on \(city) \(variable.rawValue): \(report.origins) origins, mode \(report.mode), \(Int(level * 100))% intervals")
        printTable(header: ["BAND", "MAE", "RMSE", "COVERAGE"], rows: report.mae.keys.sorted { Self.bandStart($0) < Self.bandStart($1) }.map { band in
            [band, String(format: "%.3f", report.mae[band]!), String(format: "%.3f", report.rmse[band]!), String(format: "%.1f%%", report.coverage[band]! * 100)]
        })
    }

    static func bandStart(_ band: String) -> Int { Int(band.split(separator: "-").first ?? "0") ?? 0 }
}
