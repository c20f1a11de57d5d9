import ForecastPipeline
import ForecastStore
import Foundation
import Locking
import ModelFiles
import PluginBinding
import PluginProcesses
import TestSupport
import Testing

/// Model files shared through PostgreSQL: published as generations by one host, copied into
/// another host's model directory, damaged ones refused, publishes notified. On a database
/// of its own on the test server, so it runs beside the PostgreSQL store suite.
@Suite("shared models in PostgreSQL (needs FORECAST_TEST_POSTGRES_URL)", .serialized,
       .enabled(if: TestPostgres.isConfigured, "FORECAST_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped"))
struct SharedModelsTests {
    /// A migrated, empty database `name` on the test server; its URL. Each suite has its
    /// own (suites run in parallel; the tests within one run one at a time).
    static func freshDatabase(_ name: String = "forecast_shared_models") throws -> String {
        let admin = try PostgresStore(url: TestPostgres.url!)
        try admin.run("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        try admin.run("CREATE DATABASE \(name)")
        let url = TestPostgres.url!.replacingOccurrences(of: "/forecast_test", with: "/\(name)")
        try PostgresStore(url: url).migrate()
        return url
    }

    /// Trains seasonal-naive for `city` into `repository`, ending at `lastTime`.
    static func train(_ repository: ModelRepository, city: String, lastTime: Int64, level: Double) throws {
        try train(repository, city: city, lastTime: lastTime, levels: Variable.defaults.map { ($0.name, level) })
    }

    /// Trains seasonal-naive for `city` into `repository`, ending at `lastTime`: one model per
    /// variable, its week of values around the level given for it.
    static func train(_ repository: ModelRepository, city: String, lastTime: Int64, levels: [(String, Double)]) throws {
        let plugin = try BuildProducts.plugin("SeasonalNaive")
        let count = 24 * 7
        for (variable, level) in levels {
            let values = (0..<count).map { level + 5 * sin(Double($0) * .pi / 12) }
            let series = TimeSeries(values: values, startTime: lastTime - Int64(count - 1) * 3600)
            let output = try plugin.train(series, options: "{}")
            let manifest = ModelManifest(
                plugin: plugin.name, pluginVersion: plugin.version, abiVersion: plugin.abiVersion, city: city,
                variable: variable, firstTime: series.startTime, lastTime: series.lastTime, stepSeconds: 3600,
                count: series.count, trainedAt: 1_700_000_000, trainingSeconds: 0.001, options: "{}",
                summary: output.summaryJSON, blobSize: output.blob.count, blobSHA256: ModelFile.sha256(output.blob))
            try repository.publish(ModelFile(manifest: manifest, blob: output.blob))
        }
    }

    /// A fresh database, the model directories of a training host and of a serving host,
    /// and the model store between them.
    struct TwoHosts {
        let directory: Scratch
        let url: String
        let trainer: ModelRepository
        let host: ModelRepository
        let store: PostgresModelStore

        init() throws {
            directory = try Scratch("pipeline")
            url = try SharedModelsTests.freshDatabase()
            trainer = ModelRepository(root: directory.file("trainer/models"))
            host = ModelRepository(root: directory.file("host/models"))
            store = try PostgresModelStore(url: url)
        }
    }

    static func keys(_ cities: [String]) -> [(plugin: String, city: String, variable: String)] {
        cities.flatMap { city in Variable.defaults.map { ("seasonal-naive", city, $0.name) } }
    }

    @Test("a training host's models reach another host's model directory byte for byte; the newest generation of each model wins")
    func publishAndSync() throws {
        let hosts = try TwoHosts()
        defer { hosts.directory.remove() }
        let (trainer, host, store) = (hosts.trainer, hosts.host, hosts.store)
        let empty = try SharedModels.sync(from: store, into: host)
        #expect(empty.generation == 0 && empty.written.isEmpty && empty.unchanged == 0 && empty.refused.isEmpty)

        try Self.train(trainer, city: "Oslo", lastTime: 1_600_000_000 / 3600 * 3600, level: 280)
        try Self.train(trainer, city: "Lima", lastTime: 1_600_000_000 / 3600 * 3600, level: 295)
        let first = try #require(try SharedModels.publish(Self.keys(["Oslo", "Lima"]), repository: trainer, store: store))
        var sync = try SharedModels.sync(from: store, into: host)
        #expect(sync.generation == first)
        #expect(sync.written.count == 4 && sync.refused.isEmpty)
        for (plugin, city, variable) in Self.keys(["Oslo", "Lima"]) {
            #expect(FileManager.default.contents(atPath: host.path(plugin: plugin, city: city, variable: variable))
                    == FileManager.default.contents(atPath: trainer.path(plugin: plugin, city: city, variable: variable)))
        }

        // A second run trains Oslo only: Oslo's files change, Lima's stay those of the first generation.
        try Self.train(trainer, city: "Oslo", lastTime: 1_600_000_000 / 3600 * 3600 + 7200, level: 281)
        let second = try #require(try SharedModels.publish(Self.keys(["Oslo"]), repository: trainer, store: store))
        #expect(second > first)
        #expect(try store.latestGeneration() == second)
        sync = try SharedModels.sync(from: store, into: host)
        #expect(sync.generation == second)
        #expect(sync.written.sorted() == ["seasonal-naive/Oslo/humidity", "seasonal-naive/Oslo/temperature"])
        #expect(sync.unchanged == 2)
        let oslo = try host.read(plugin: "seasonal-naive", city: "Oslo", variable: "temperature")
        #expect(oslo.manifest.lastTime == 1_600_000_000 / 3600 * 3600 + 7200)
        #expect(try SharedModels.sync(from: store, into: host).written.isEmpty)
    }

    @Test("a damaged model in the store is refused, and the host keeps the file it has")
    func damagedModelRefused() throws {
        let hosts = try TwoHosts()
        defer { hosts.directory.remove() }
        let (trainer, host, store) = (hosts.trainer, hosts.host, hosts.store)
        try Self.train(trainer, city: "Oslo", lastTime: 1_600_000_000 / 3600 * 3600, level: 280)
        _ = try SharedModels.publish(Self.keys(["Oslo"]), repository: trainer, store: store)
        _ = try SharedModels.sync(from: store, into: host)
        let path = host.path(plugin: "seasonal-naive", city: "Oslo", variable: "temperature")
        let before = try #require(FileManager.default.contents(atPath: path))

        var damaged = before
        damaged[damaged.count - 1] ^= 0xFF
        try store.publish([PostgresModelStore.Model(plugin: "seasonal-naive", city: "Oslo", variable: "temperature",
                                                    sha256: "", file: damaged)])
        let sync = try SharedModels.sync(from: store, into: host)
        #expect(sync.written.isEmpty)
        #expect(sync.refused.count == 1 && sync.refused[0].hasPrefix("seasonal-naive/Oslo/temperature"), "\(sync.refused)")
        #expect(FileManager.default.contents(atPath: path) == before)
    }

    @Test("a publish is notified to a listening host with its generation; nothing is published without a model")
    func publishIsNotified() async throws {
        let hosts = try TwoHosts()
        defer { hosts.directory.remove() }
        let (url, trainer, store) = (hosts.url, hosts.trainer, hosts.store)
        let heard = Locked<[Int64]>([])
        let listener = PostgresModelListener(url: url, onPublish: { generation in heard.withLock { $0.append(generation) } })
        try listener.start()
        defer { listener.stop() }
        try Self.train(trainer, city: "Oslo", lastTime: 1_600_000_000 / 3600 * 3600, level: 280)
        let generation = try #require(try SharedModels.publish(Self.keys(["Oslo"]), repository: trainer, store: store))
        // A guard against a hang, not a speed: the notification comes at the commit.
        let deadline = ContinuousClock.now + .seconds(30)
        while heard.withLock({ $0.isEmpty }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(heard.withLock { $0 } == [generation])
        let nothing: [(plugin: String, city: String, variable: String)] = []
        #expect(try SharedModels.publish(nothing, repository: trainer, store: store) == nil)
        #expect(try store.latestGeneration() == generation)
    }
}

/// Two `forecast serve` hosts with their own work directories and one PostgreSQL store:
/// what `forecast train` publishes elsewhere reaches both, and a new training reloads both
/// by notification.
@Suite("shared models across hosts (needs FORECAST_TEST_POSTGRES_URL)", .serialized,
       .enabled(if: TestPostgres.isConfigured, "FORECAST_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped"))
struct SharedModelHostsTests {
    static func get(_ url: String) throws -> (Int, [String: Any]) {
        let run = try ProgramRun.run(ChildProcess(executable: "/usr/bin/curl", arguments: ["-s", "-w", "\n%{http_code}", url]), timeout: 30)
        let lines = run.output.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.last ?? "") ?? 0
        let body = lines.dropLast().joined(separator: "\n")
        return (status, (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:])
    }

    @Test("hosts with no model files serve what train published into the store, reload when a new training is published, and refuse a generation that would break a city",
          .enabled(if: FileManager.default.isExecutableFile(atPath: BuildProducts.forecastExecutable)
                   && FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "needs the forecast executable and curl"))
    func hostsFollowTheStore() async throws {
        let url = try SharedModelsTests.freshDatabase("forecast_shared_model_hosts")
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let sample = try EndToEnd.forecast(["sample-data", "--out", "sample", "--hours", "\(24 * 21)"], in: directory.path)
        try #require(sample.status == 0, "\(sample.errors)")
        // fetch, ingest and train (seasonal-naive only) on the trainer's own work directory.
        let first = try EndToEnd.forecast(["pipeline", "--temperature", "sample/temperature.csv.zip", "--humidity", "sample/humidity.csv.zip",
                                           "--plugin", "seasonal-naive", "--database", url, "--workdir", "trainer"], in: directory.path)
        let train = ["train", "--plugin", "seasonal-naive", "--database", url, "--workdir", "trainer"]
        try #require(first.status == 0, "\(first.errors)")
        #expect(first.errors.contains("published generation 1 "), "\(first.errors)")

        try Data(#"{"routes": {"v1": {"plugin": "seasonal-naive"}}}"#.utf8).write(to: URL(fileURLWithPath: directory.file("v1.json")))
        var hosts: [ServerProcess] = []
        defer { for host in hosts { host.stop(); host.removeLog() } }
        for name in ["host1", "host2"] {
            hosts.append(try await ServerProcess(ChildProcess(executable: BuildProducts.forecastExecutable, arguments: [
                "serve", "--port", "0", "--in-process", "--no-store", "--database", url, "--workdir", directory.file(name),
                "--config", directory.file("v1.json")])))
        }
        for host in hosts {
            let (status, body) = try Self.get(host.baseURL + "/v1/forecast/24")
            #expect(status == 200, "\(host.log)")
            #expect((body["forecast"] as? [Any])?.count == 24)
            #expect(try Self.get(host.baseURL + "/readyz").1["generation"] as? Int == 1)
        }

        let second = try EndToEnd.forecast(train, in: directory.path)
        try #require(second.status == 0, "\(second.errors)")
        let published = ContinuousClock.now
        for host in hosts {
            // A guard against a hang, not a speed: the notification is sent at the commit.
            let deadline = ContinuousClock.now + .seconds(30)
            var generation = 1
            while generation < 2, ContinuousClock.now < deadline {
                generation = try Self.get(host.baseURL + "/readyz").1["generation"] as? Int ?? 0
                if generation < 2 { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(generation == 2, "no reload after the second publish: \(host.log)")
            print("shared models: \(host.baseURL) serves generation 2 \(ContinuousClock.now - published) after train exited")
            #expect(host.log.contains("shared models: generation 2"), "\(host.log)")
        }

        // A generation that would break a serving city: a temperature model ending three
        // weeks after the humidity model (the city's models must end within a week).
        let oddOne = ModelRepository(root: directory.file("odd/models"))
        let humidity = try ModelRepository(root: directory.file("trainer/models"))
            .read(plugin: "seasonal-naive", city: "San Francisco", variable: "humidity")
        try SharedModelsTests.train(oddOne, city: "San Francisco", lastTime: humidity.manifest.lastTime + 21 * 24 * 3600, level: 290)
        let path = ModelRepository(root: directory.file("host1/models")).path(plugin: "seasonal-naive", city: "San Francisco", variable: "temperature")
        let before = try #require(FileManager.default.contents(atPath: path))
        let refused = try #require(try SharedModels.publish([("seasonal-naive", "San Francisco", "temperature")], repository: oddOne,
                                                            store: PostgresModelStore(url: url)))
        for host in hosts {
            let deadline = ContinuousClock.now + .seconds(30)
            while !host.log.contains("generation \(refused) refused"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(host.log.contains("reload refused"), "\(host.log)")
            #expect(host.log.contains("generation \(refused) refused"), "\(host.log)")
            // (/readyz answers 503 throughout: the plugins with no models, arima and autoreg, have routes too.)
            #expect(try Self.get(host.baseURL + "/readyz").1["generation"] as? Int == 2)
            #expect(try Self.get(host.baseURL + "/v1/forecast/24").0 == 200)
        }
        #expect(FileManager.default.contents(atPath: path) == before, "the refused file stayed in the model directory")
    }
}
