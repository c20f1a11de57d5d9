import Foundation
import NIOCore
import TestSupport
import Testing

/// Variables as data, end to end through the executable: the sample data's pressure is
/// ingested, trained and served beside temperature and humidity; a user with a humidity
/// file alone runs the pipeline and gets humidity forecasts.
@Suite("pressure and other variables (forecast executable)",
       .enabled(if: FileManager.default.isExecutableFile(atPath: BuildProducts.forecastExecutable),
                "the forecast executable is not built (run swift build first)"))
struct PressureForecastTests {
    static let config = BuildProducts.packageRoot + "/plugins.json"

    /// The sample data (five weeks of hours) in a fresh directory.
    static func sample() async throws -> String {
        let root = NSTemporaryDirectory() + "forecast-variables-\(UUID().uuidString)"
        let run = try await ProcessRunner.run(BuildProducts.forecastExecutable, ["sample-data", "--out", root + "/sample", "--hours", "840"])
        #expect(run.status == 0, "\(run.output)")
        return root
    }

    static func get(_ port: Int, _ path: String) async throws -> (Int, [String: Any]) {
        let (status, body) = try await TopologyTests.get("http://127.0.0.1:\(port)\(path)")
        return (Int(status), (try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]) ?? [:])
    }

    @Test("sample data -> pipeline with pressure -> serve: a forecast body carries pressure, pressureLower and pressureUpper in hPa beside the old fields")
    func pressureForecast() async throws {
        let root = try await Self.sample()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let forecast = BuildProducts.forecastExecutable
        let pipeline = try await ProcessRunner.run(forecast, [
            "pipeline", "--workdir", root + "/work", "--config", Self.config, "--plugin", "autoreg",
            "--temperature", root + "/sample/temperature.csv.zip", "--humidity", root + "/sample/humidity.csv.zip",
            "--pressure", root + "/sample/pressure.csv.zip",
        ], timeout: .seconds(1800))
        #expect(pipeline.status == 0, "\(pipeline.output.suffix(2000))")
        for variable in ["temperature", "humidity", "pressure"] {
            #expect(FileManager.default.fileExists(atPath: root + "/work/models/autoreg/san-francisco/\(variable).model"), "\(variable)")
        }

        let server = try await ServeProcess(executable: forecast, arguments: ["--workdir", root + "/work", "--config", Self.config])
        let (status, body) = try await Self.get(server.port, "/v2/forecast/24?city=San%20Francisco&level=0.8,0.95")
        #expect(status == 200, "\(body)")
        let hours = try #require(body["forecast"] as? [[String: Any]])
        #expect(hours.count == 24)
        for hour in hours {
            for field in ["temperature", "temperatureLower", "temperatureUpper", "humidity", "humidityLower", "humidityUpper"] {
                #expect(hour[field] is NSNumber, "\(field) kept its name")
            }
            let mean = try #require((hour["pressure"] as? NSNumber)?.doubleValue)
            let lower = try #require((hour["pressureLower"] as? NSNumber)?.doubleValue)
            let upper = try #require((hour["pressureUpper"] as? NSNumber)?.doubleValue)
            #expect(lower <= mean && mean <= upper)
            #expect((950...1075).contains(mean), "a sample pressure near 1013 hPa: \(mean)")
        }
        #expect((body["units"] as? [String: Any])?["pressure"] as? String == "hPa")
        let model = try #require(body["model"] as? [String: Any])
        #expect(model["pressure"] is [String: Any] && model["temperature"] is [String: Any])
        let intervals = try #require(body["intervals"] as? [[String: Any]])
        #expect(intervals.count == 2 && intervals.allSatisfy { ($0["pressureLower"] as? [Any])?.count == 24 })
        // The city's models in full list the pressure model with its unit.
        let (modelsStatus, models) = try await Self.get(server.port, "/v2/models/san-francisco")
        #expect(modelsStatus == 200)
        #expect((models["pressure"] as? [String: Any])?["unit"] as? String == "hPa")
        // The OpenAPI document describes the new fields and carries its version.
        let (_, document) = try await Self.get(server.port, "/openapi.json")
        #expect((document["info"] as? [String: Any])?["version"] as? String == "2.2.0")
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
        let forecastSchema = (schemas?["Forecast"] as? [String: Any])?["properties"] as? [String: Any]
        let hourSchema = ((forecastSchema?["forecast"] as? [String: Any])?["items"] as? [String: Any])?["properties"] as? [String: Any]
        #expect(hourSchema?["pressureLower"] != nil && hourSchema?["windSpeed"] != nil)
        #expect(await server.stop() == 0)
    }

    @Test("a humidity file alone: fetch, ingest and train --variables humidity, and the server answers humidity only")
    func humidityAlone() async throws {
        let root = try await Self.sample()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let forecast = BuildProducts.forecastExecutable
        let work = ["--workdir", root + "/work", "--config", Self.config]
        let fetch = try await ProcessRunner.run(forecast, ["fetch"] + work + ["--variables", "humidity", "--humidity", root + "/sample/humidity.csv.zip"])
        #expect(fetch.status == 0, "\(fetch.output)")
        #expect(!FileManager.default.fileExists(atPath: root + "/work/data/temperature.csv"))
        // Without --variables, ingest wants the temperature file too, and says so.
        let refused = try await ProcessRunner.run(forecast, ["ingest"] + work)
        #expect(refused.status != 0 && refused.output.contains("no temperature file"), "\(refused.output)")
        let ingest = try await ProcessRunner.run(forecast, ["ingest"] + work + ["--variables", "humidity"])
        #expect(ingest.status == 0, "\(ingest.output)")
        // Training takes what the store has: humidity.
        let train = try await ProcessRunner.run(forecast, ["train"] + work + ["--plugin", "seasonal-naive"])
        #expect(train.status == 0, "\(train.output)")
        let models = root + "/work/models/seasonal-naive/san-francisco"
        #expect(FileManager.default.fileExists(atPath: models + "/humidity.model"))
        #expect(!FileManager.default.fileExists(atPath: models + "/temperature.model"))
        // A selected variable the store has nothing of fails its job with that reason.
        let pressure = try await ProcessRunner.run(forecast, ["train"] + work + ["--plugin", "seasonal-naive", "--variables", "pressure"])
        #expect(pressure.status != 0 && pressure.output.contains("no pressure observations"), "\(pressure.output)")

        let server = try await ServeProcess(executable: forecast, arguments: work)
        let (status, body) = try await Self.get(server.port, "/baseline/forecast/12")
        #expect(status == 200, "\(body)")
        let hours = try #require(body["forecast"] as? [[String: Any]])
        #expect(hours.count == 12)
        #expect(hours.allSatisfy { $0["humidity"] is NSNumber && $0["temperature"] == nil && $0["pressure"] == nil })
        #expect((body["units"] as? [String: Any])?.keys.sorted() == ["humidity"])
        #expect(await server.stop() == 0)
    }
}
