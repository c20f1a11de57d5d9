import ArgumentParser

/// The `forecast` command: the pipeline's steps, plugin tools and the server.
@main
struct ForecastCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Hourly weather forecasts from pluggable models: fetch, ingest, train, serve.",
        discussion: """
            Each step of the pipeline is its own subcommand so a scheduler (or a person) can run \
            them one by one; `forecast pipeline` runs them in order. Models are plugins: shared \
            libraries implementing forecast_plugin.h, found in the plugin directory.

            Environment: FORECAST_HOME (work directory), FORECAST_DATABASE_URL (store), \
            FORECAST_CONFIG (plugins.json), FORECAST_PLUGIN_DIR (plugin directory).
            """,
        version: "0.1.0",
        subcommands: [
            PluginsCommand.self,
            SampleDataCommand.self, FetchCommand.self, IngestCommand.self, TrainCommand.self, TrainChildCommand.self, CheckChildCommand.self, BacktestCommand.self, PipelineCommand.self,
            ServeCommand.self, ServeWorkerCommand.self, ReplayCommand.self,
            CitiesCommand.self,
            VerifyModelsCommand.self, PruneModelsCommand.self,
        ]
    )
}
