import ArgumentParser
import ForecastPipeline
import ForecastStore
import Foundation
import ModelFiles

/// `forecast verify-models`: forecast from every published model and check the result is sane.
struct VerifyModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-models",
        abstract: "Forecast from every published model file and fail on unreadable models or implausible forecasts.",
        discussion: """
            For each plugin and city with model files under <workdir>/models, loads each variable's \
            model through the plugin (checksums verified), forecasts --hours ahead at the 95% level, and \
            checks every value is finite and the means are physically plausible: \
            \(Variable.plausibleForecastRangesText) (a linear model may overshoot humidity's 0-100 % \
            slightly; more than 5 points is an error). Exit status 1 when any check fails. Run after `forecast train`, before reloading a server.

            With a PostgreSQL store it checks the store's newest models (what every host \
            serves), copied into <workdir>/models first as a host copies them.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Only models of this plugin (repeatable). Default: every plugin found.")
    var plugin: [String] = []

    @Option(name: .long, help: "Only models of this city (repeatable). Default: every city with models.")
    var city: [String] = []

    @Option(name: .long, help: "Hours to forecast (1-168).")
    var hours = 72

    @Flag(name: .long, help: "Print the results as JSON.")
    var json = false

    func validate() throws {
        guard (1...168).contains(hours) else { throw ValidationError("--hours must be between 1 and 168; got \(hours)") }
    }

    func run() async throws {
        let config = try global.loadConfig()
        let registry = try global.discoverPlugins(config: config)
        let repository = global.modelRepository
        let url = global.resolvedDatabaseURL
        if url.hasPrefix("postgres") {
            // The models every host serves are the store's: check those, copied here first as
            // a host copies them, so a worker with no shared disk checks what the others trained.
            let store = try PostgresModelStore(url: url)
            let sync = try SharedModels.sync(from: store, into: repository)
            for refusal in sync.refused { FileHandle.standardError.write(Data("store model refused: \(refusal)\n".utf8)) }
            FileHandle.standardError.write(Data("checking the models of \(store.displayURL) up to generation \(sync.generation) (\(sync.written.count) copied into \(repository.root))\n".utf8))
        }
        let plugins = plugin.isEmpty ? registry.plugins.map(\.name) : plugin
        var results: [[String: Any]] = []
        var failures = 0
        for name in plugins {
            guard let loaded = registry.plugin(named: name) else {
                results.append(["plugin": name, "ok": false, "error": "plugin '\(name)' is not loaded"])
                failures += 1
                continue
            }
            let cities = city.isEmpty ? repository.cities(plugin: name) : city
            for cityName in cities {
                // The variables trained for the city (a city trained on humidity alone has one model).
                let trained = Variable.allCases.map(\.name).filter {
                    FileManager.default.fileExists(atPath: repository.path(plugin: name, city: cityName, variable: $0))
                }
                for variable in trained.isEmpty ? Variable.defaults.map(\.name) : trained {
                    var entry: [String: Any] = ["plugin": name, "city": cityName, "variable": variable]
                    do {
                        let file = try repository.read(plugin: name, city: cityName, variable: variable)
                        let output = try loaded.loadModel(file.blob).forecast(horizon: hours, level: 0.95)
                        let range = Variable(rawValue: variable)?.plausibleForecastRange ?? -Double.infinity...Double.infinity
                        if let bad = output.mean.firstIndex(where: { !range.contains($0) }) {
                            throw VerificationFailure(message: "hour \(bad + 1) forecast \(output.mean[bad]) is outside \(range)")
                        }
                        entry["ok"] = true
                        entry["first"] = output.mean.first
                        entry["last"] = output.mean.last
                    } catch {
                        entry["ok"] = false
                        entry["error"] = "\(error)"
                        failures += 1
                    }
                    results.append(entry)
                }
            }
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: ["models": results, "failures": failures],
                                                  options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for entry in results {
                let label = [entry["plugin"], entry["city"], entry["variable"]].compactMap { $0 as? String }.joined(separator: " ")
                if entry["ok"] as? Bool == true {
                    print("ok    \(label): \(hours) h forecast from \(format(entry["first"])) to \(format(entry["last"]))")
                } else {
                    print("FAIL  \(label): \(entry["error"] as? String ?? "")")
                }
            }
            print("\(results.count - failures) passed, \(failures) failed")
        }
        if results.isEmpty {
            throw ValidationError("no model files found under \(repository.root): run `forecast train` first")
        }
        if failures > 0 { throw ExitCode(1) }
    }

    private func format(_ value: Any?) -> String {
        (value as? Double).map { String(format: "%.2f", $0) } ?? "?"
    }
}

/// A model whose forecast is implausible.
struct VerificationFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
