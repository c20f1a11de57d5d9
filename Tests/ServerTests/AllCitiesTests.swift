import ForecastVocabulary
import Foundation
import ModelFiles
import NIOCore
import TestSupport
import Testing

/// Every city, every plugin: `forecast pipeline --all-cities` on the sample data, then a
/// server answering for any trained city (the scale-out picture on one machine).
@Suite("all cities (forecast executable)")
struct AllCitiesTests {
    @Test("pipeline --all-cities publishes 36 x 2 model files per plugin and the server answers for three sample cities",
          .enabled(if: FileManager.default.isExecutableFile(atPath: BuildProducts.forecastExecutable),
                   "the forecast executable is not built (run swift build first)"))
    func everyCity() async throws {
        let scratch = try Scratch("all-cities")
        defer { scratch.remove() }
        let root = scratch.path
        // The repository's plugins.json, with ARIMA's seasonal-factor candidate left out: it
        // makes each of the 72 debug-build ARIMA trainings about five times slower and is
        // tested in ARIMATests; what this test is about is every city through the pipeline
        // and the server, with every plugin's other defaults.
        let config = try Self.configWithoutSeasonalFactors(in: root)
        // Five weeks of hours: enough for every plugin's defaults, quick in a debug build. The time
        // limit only guards against a hang: under ThreadSanitizer the pipeline takes minutes.
        let sample = try await ForecastCommand.run(["sample-data", "--out", root + "/sample", "--hours", "840"], in: root, timeout: 60)
        #expect(sample.status == 0, "\(sample.output)\(sample.errors)")
        let pipeline = try await ForecastCommand.run([
            "pipeline", "--workdir", root + "/work", "--config", config, "--all-cities",
            "--temperature", root + "/sample/temperature.csv.zip", "--humidity", root + "/sample/humidity.csv.zip",
        ], in: root, timeout: 1800)
        #expect(pipeline.status == 0, "\((pipeline.output + pipeline.errors).suffix(2000))")

        let repository = ModelRepository(root: root + "/work/models")
        for plugin in ["arima", "autoreg", "seasonal-naive"] {
            let cities = repository.cities(plugin: plugin)
            #expect(cities.count == 36, "\(plugin): \(cities)")
            for city in cities {
                for variable in Variable.defaults.map(\.name) {
                    #expect((try? repository.read(plugin: plugin, city: city, variable: variable)) != nil, "\(plugin) \(city) \(variable)")
                }
            }
        }

        let server = try await ServedProcess.start(["--workdir", root + "/work", "--config", config], in: root)
        for city in ["Vancouver", "Miami", "Tel Aviv District"] {
            for route in ["v1", "v2", "baseline"] {
                let query = city.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!
                let (status, body) = try await TopologyTests.get("http://127.0.0.1:\(server.port)/\(route)/forecast/72?city=\(query)")
                #expect(status == 200, "\(route) \(city): \(String(buffer: body))")
                let json = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
                #expect((json?["forecast"] as? [[String: Any]])?.count == 72, "\(route) \(city)")
            }
        }
        #expect(await server.stop() == 0)
    }

    /// `plugins.json` with `"seasonal_order": [0, 0]` added to ARIMA's options, written into `directory`.
    static func configWithoutSeasonalFactors(in directory: String) throws -> String {
        let original = BuildProducts.packageRoot + "/plugins.json"
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: original))) as? [String: Any])
        var plugins = try #require(config["plugins"] as? [String: Any])
        var arima = plugins["arima"] as? [String: Any] ?? [:]
        var options = arima["options"] as? [String: Any] ?? [:]
        options["seasonal_order"] = [0, 0]
        arima["options"] = options
        plugins["arima"] = arima
        config["plugins"] = plugins
        let path = directory + "/plugins.json"
        try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
        return path
    }
}
