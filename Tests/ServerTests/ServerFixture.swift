import ForecastConfiguration
import ForecastServer
import ForecastStore
import Foundation
import ModelFiles
import PluginBinding
import PluginProcesses
import TestSupport

/// A temporary work directory with real model files trained by a real plugin, and a
/// real SQLite store holding the observations those models were trained on.
struct ServerFixture {
    /// The hour the fixture's series end (a multiple of 3600).
    static let lastTime: Int64 = 1_500_000_000 / 3600 * 3600
    /// Cities with models.
    static let cities = ["San Francisco", "Portland"]
    /// Hours of history trained on.
    static let historyHours = 24 * 14

    let root: String
    let repository: ModelRepository
    let plugin: LoadedPlugin
    let storePath: String

    /// Trains seasonal-naive (the C baseline) for every city and fills the store.
    static func make(trainUntil lastTime: Int64 = lastTime) throws -> ServerFixture {
        let root = NSTemporaryDirectory() + "forecast-server-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let fixture = ServerFixture(root: root, repository: ModelRepository(root: root + "/models"),
                                    plugin: try BuildProducts.plugin("SeasonalNaive"), storePath: root + "/forecast.db")
        let store = try SQLiteStore(path: fixture.storePath)
        try store.migrate()
        for (index, city) in cities.enumerated() {
            try fixture.train(city: city, lastTime: lastTime, offset: Double(index) * 3)
            try store.upsert(observations(city: city, lastTime: lastTime, offset: Double(index) * 3))
        }
        return fixture
    }

    /// A deterministic daily cycle with a slower wobble, in kelvin and percent.
    static func series(lastTime: Int64, offset: Double) -> (temperature: TimeSeries, humidity: TimeSeries) {
        let start = lastTime - Int64(historyHours - 1) * 3600
        var temperature: [Double] = []
        var humidity: [Double] = []
        for index in 0..<historyHours {
            let hour = Double((start / 3600) + Int64(index))
            let daily = sin(2 * Double.pi * hour / 24)
            temperature.append(285 + offset + 6 * daily + 1.5 * sin(hour * 0.37) + 0.8 * cos(hour * 1.3))
            humidity.append(70 - offset - 15 * daily + 4 * sin(hour * 0.23) + 2 * cos(hour * 0.9))
        }
        return (TimeSeries(values: temperature, startTime: start), TimeSeries(values: humidity, startTime: start))
    }

    static func observations(city: String, lastTime: Int64, offset: Double) -> [Observation] {
        let (temperature, humidity) = series(lastTime: lastTime, offset: offset)
        return (0..<temperature.count).map { index in
            Observation(city: city, time: temperature.startTime + Int64(index) * 3600,
                        temperature: temperature.values[index], humidity: humidity.values[index])
        }
    }

    /// Trains both variables of `city` up to `lastTime` and publishes the model files.
    func train(city: String, lastTime: Int64, offset: Double = 0, plugin: LoadedPlugin? = nil) throws {
        let plugin = plugin ?? self.plugin
        let (temperature, humidity) = Self.series(lastTime: lastTime, offset: offset)
        for (variable, series) in [("temperature", temperature), ("humidity", humidity)] {
            let output = try plugin.train(series, options: "{}")
            let manifest = ModelManifest(
                plugin: plugin.name, pluginVersion: plugin.version, abiVersion: plugin.abiVersion, city: city,
                variable: variable, firstTime: series.startTime, lastTime: series.lastTime, stepSeconds: 3600,
                count: series.count, trainedAt: Int64(Date().timeIntervalSince1970), trainingSeconds: 0.001,
                options: "{}", summary: output.summaryJSON, blobSize: output.blob.count,
                blobSHA256: ModelFile.sha256(output.blob))
            try repository.publish(ModelFile(manifest: manifest, blob: output.blob))
        }
    }

    /// Flips one byte of a published blob so its checksum no longer matches.
    func corrupt(city: String, variable: String) throws {
        let path = repository.path(plugin: plugin.name, city: city, variable: variable)
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[data.count - 1] ^= 0xFF
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// The config: /v1 on seasonal-naive, /v2 on a plugin that has no model files, unless given.
    static func config(routes: [ForecastConfig.Route]? = nil) -> ForecastConfig {
        ForecastConfig(defaultCity: "San Francisco", routes: routes ?? [
            .init(name: "v1", target: .plugin("seasonal-naive"), description: "Seasonal naive"),
        ])
    }

    /// A server over this fixture's models and store.
    ///
    /// With `workers`, each plugin runs in a worker process (`forecast serve-worker`).
    func server(config: ForecastConfig = ServerFixture.config(), withStore: Bool = true, port: Int = 0,
                workers: PluginWorker.Settings? = nil) throws -> ForecastServer {
        let store: (any ObservationStore)? = withStore ? try SQLiteStore(path: storePath) : nil
        return ForecastServer(configuration: ServerConfiguration(
            host: "127.0.0.1", port: port, config: config, plugins: [plugin], repository: repository,
            store: store, storeProblem: withStore ? nil : "no store in this test", workerSettings: workers))
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}
