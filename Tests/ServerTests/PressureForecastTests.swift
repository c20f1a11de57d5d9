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
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let run = try await Self.run(["sample-data", "--out", root + "/sample", "--hours", "840"], in: root)
        #expect(run.status == 0, "\(run.output)")
        return root
    }

    /// `forecast arguments...` in `directory`: its exit status (nil when a signal or the time
    /// limit ended it) and its output and errors together.
    static func run(_ arguments: [String], in directory: String, timeout: Double = 600) async throws -> (status: Int32?, output: String) {
        let finished = try await ForecastCommand.run(arguments, in: directory, timeout: timeout)
        let status: Int32? = if case .exited(let code) = finished.termination { code } else { nil }
        return (status, finished.output + finished.errors)
    }

    static func get(_ port: Int, _ path: String) async throws -> (Int, [String: Any]) {
        let (status, body) = try await TopologyTests.get("http://127.0.0.1:\(port)\(path)")
        return (Int(status), (try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]) ?? [:])
    }

    @Test("sample data -> pipeline with pressure -> serve: a forecast body carries pressure, pressureLower and pressureUpper in hPa beside the old fields")
    func pressureForecast() async throws {
        let root = try await Self.sample()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let pipeline = try await Self.run([
            "pipeline", "--workdir", root + "/work", "--config", Self.config, "--plugin", "autoreg",
            "--temperature", root + "/sample/temperature.csv.zip", "--humidity", root + "/sample/humidity.csv.zip",
            "--pressure", root + "/sample/pressure.csv.zip",
        ], in: root, timeout: 1800)
        #expect(pipeline.status == 0, "\(pipeline.output.suffix(2000))")
        for variable in ["temperature", "humidity", "pressure"] {
            #expect(FileManager.default.fileExists(atPath: root + "/work/models/autoreg/san-francisco/\(variable).model"), "\(variable)")
        }

        let server = try await ServedProcess.start(["--workdir", root + "/work", "--config", Self.config], in: root)
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
        // The page draws a chart per variable a route forecasts: pressure's in hPa, with the
        // observed week, after temperature's and humidity's; no wind chart (nothing forecasts it).
        let (pageStatus, page) = try await TopologyTests.get("http://127.0.0.1:\(server.port)/")
        let html = String(buffer: page)
        #expect(pageStatus == 200)
        let order = ["temperature", "humidity", "pressure"].compactMap {
            html.range(of: "data-city=\"San Francisco\" data-variable=\"\($0)\"")?.lowerBound
        }
        #expect(order.count == 3 && order == order.sorted(), "a chart per forecast variable, in the table's order")
        #expect(html.contains("<h3>Pressure (hPa)</h3>"))
        #expect(!html.contains("data-variable=\"wind_speed\""))
        #expect(await server.stop() == 0)
    }

    @Test("a humidity file alone: fetch, ingest and train --variables humidity, and the server answers humidity only")
    func humidityAlone() async throws {
        let root = try await Self.sample()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let work = ["--workdir", root + "/work", "--config", Self.config]
        let fetch = try await Self.run(["fetch"] + work + ["--variables", "humidity", "--humidity", root + "/sample/humidity.csv.zip"], in: root)
        #expect(fetch.status == 0, "\(fetch.output)")
        #expect(!FileManager.default.fileExists(atPath: root + "/work/data/temperature.csv"))
        // Without --variables, ingest wants the temperature file too, and says so.
        let refused = try await Self.run(["ingest"] + work, in: root)
        #expect(refused.status != 0 && refused.output.contains("no temperature file"), "\(refused.output)")
        let ingest = try await Self.run(["ingest"] + work + ["--variables", "humidity"], in: root)
        #expect(ingest.status == 0, "\(ingest.output)")
        // Training takes what the store has: humidity.
        let train = try await Self.run(["train"] + work + ["--plugin", "seasonal-naive"], in: root)
        #expect(train.status == 0, "\(train.output)")
        let models = root + "/work/models/seasonal-naive/san-francisco"
        #expect(FileManager.default.fileExists(atPath: models + "/humidity.model"))
        #expect(!FileManager.default.fileExists(atPath: models + "/temperature.model"))
        // A selected variable the store has nothing of fails its job with that reason.
        let pressure = try await Self.run(["train"] + work + ["--plugin", "seasonal-naive", "--variables", "pressure"], in: root)
        #expect(pressure.status != 0 && pressure.output.contains("no pressure observations"), "\(pressure.output)")

        let server = try await ServedProcess.start(work, in: root)
        let (status, body) = try await Self.get(server.port, "/baseline/forecast/12")
        #expect(status == 200, "\(body)")
        let hours = try #require(body["forecast"] as? [[String: Any]])
        #expect(hours.count == 12)
        #expect(hours.allSatisfy { $0["humidity"] is NSNumber && $0["temperature"] == nil && $0["pressure"] == nil })
        #expect((body["units"] as? [String: Any])?.keys.sorted() == ["humidity"])
        #expect(await server.stop() == 0)
    }
}
