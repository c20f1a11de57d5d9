import Foundation
import Testing
import TestSupport

/// The example plugins under `examples/`, each built the way an outside author builds it,
/// through `forecast plugins check`, `forecast train` and a forecast served by
/// `forecast serve` on loopback; and the frozen ABI 1.0 fixture plugin beside them.
///
/// A test whose toolchain is missing is skipped, saying which.
@Suite("example plugins: built, checked, trained and served", .serialized)
struct ExamplePluginTests {
    /// A work directory with sample data of one city ingested, and an empty plugin directory.
    final class Workdir {
        let path: String
        var plugins: String { path + "/plugins" }

        init() throws {
            path = try Scratch("examples").path
            try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
            chmod(plugins, 0o700)
            try ForecastCommand.prepareWorkdir(path, hours: 3000, cities: ["San Francisco"])
        }

        /// Runs `forecast arguments...` here; throws with its output unless it exits 0.
        @discardableResult
        func forecast(_ arguments: [String]) throws -> String {
            let run = try ForecastCommand.run(arguments, in: path)
            guard run.status == 0 else {
                throw TestSetupFailure(message: "forecast \(arguments.joined(separator: " ")) failed (\(run.termination)):\n\(run.output)\(run.errors)")
            }
            return run.output + run.errors
        }

        func remove() { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Checks, trains and serves the plugin `name` built into `workdir.plugins`.
    func checkTrainAndServe(_ library: String, name: String, in workdir: Workdir) async throws {
        let check = try await ForecastCommand.run(["plugins", "check", library], in: workdir.path)
        #expect(check.status == 0, "plugins check failed:\n\(check.output)\(check.errors)")
        #expect(check.output.contains(" 0 failed"), "\(check.output)")

        let listing = try workdir.forecast(["plugins", "--plugin-dir", workdir.plugins])
        #expect(listing.contains("/\(name)"), "\(listing)")

        let train = try workdir.forecast(["train", "--workdir", workdir.path, "--plugin-dir", workdir.plugins, "--plugin", name])
        #expect(train.contains("ok      \(name) San Francisco temperature"), "\(train)")

        let server = try await ServedProcess.start(["--workdir", workdir.path, "--plugin-dir", workdir.plugins], in: workdir.path)
        let answer = try await server.request("/\(name)/forecast/24?city=San%20Francisco")
        _ = await server.stop()
        #expect(answer.status == 200, "\(answer.body)\n\(server.log)")
        let data = Data(answer.body.utf8)
        let body = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let hours = try #require(body["forecast"] as? [[String: Any]])
        #expect(hours.count == 24)
        for hour in hours {
            let (mean, lower, upper) = (hour["temperature"] as? Double, hour["temperatureLower"] as? Double, hour["temperatureUpper"] as? Double)
            #expect(mean != nil && lower != nil && upper != nil && lower! <= mean! && mean! <= upper!, "\(hour)")
        }
    }

    @Test("the C example, built with plain cc against the header alone, declares missing values, passes the suite and serves",
          .enabled(if: ExampleBuild.tool("cc") != nil, "no C compiler (cc) on this machine"))
    func cExample() async throws {
        let workdir = try Workdir()
        defer { workdir.remove() }
        let library = try ExampleBuild.c(ExampleBuild.examples + "/c/holt_winters.c", into: workdir.plugins, name: "libholt_winters.so")
        let undefined = try ProgramRun.run("/usr/bin/env", ["nm", "-D", "--undefined-only", library])
        #expect(!undefined.output.contains("fp_"), "the plugin needs a symbol of the host's: \(undefined.output)")
        try await checkTrainAndServe(library, name: "holt-winters", in: workdir)
        let listing = try workdir.forecast(["plugins", "--json", "--plugin-dir", workdir.plugins])
        #expect(listing.contains("\"missing-values\""))

        // It declares FP_CAPABILITY_MISSING_VALUES, so forecast train hands it all of the
        // history, long gaps as NaN: Vancouver's sample temperatures have such gaps.
        try workdir.forecast(["ingest", "--workdir", workdir.path, "--city", "Vancouver"])
        try workdir.forecast(["train", "--workdir", workdir.path, "--plugin-dir", workdir.plugins, "--plugin", "holt-winters",
                              "--city", "Vancouver", "--variable", "temperature"])
        let file = try #require(FileManager.default.contents(atPath: workdir.path + "/models/holt-winters/vancouver/temperature.model"))
        let headerLine = try #require(file.split(separator: UInt8(ascii: "\n"), maxSplits: 2).dropFirst().first)
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(headerLine)) as? [String: Any])
        let (count, first, last) = (manifest["count"] as? Int ?? 0, manifest["firstTime"] as? Int ?? 0, manifest["lastTime"] as? Int ?? 0)
        #expect(count == (last - first) / 3600 + 1, "\(manifest)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data((manifest["summary"] as? String ?? "").utf8)) as? [String: Any])
        #expect((summary["missing"] as? Int ?? 0) > 0, "the plugin saw no missing hour: \(summary)")
        #expect((summary["observed"] as? Int ?? 0) + (summary["missing"] as? Int ?? 0) == count)
    }

    @Test("the Rust example, a dependency-free cdylib built with cargo --offline, passes the suite and serves",
          .enabled(if: ExampleBuild.tool("cargo") != nil, "cargo is not installed: the Rust example is not built"))
    func rustExample() async throws {
        let workdir = try Workdir()
        defer { workdir.remove() }
        let library = try ExampleBuild.rust(into: workdir.plugins, scratch: workdir.path)
        try await checkTrainAndServe(library, name: "daily-profile", in: workdir)
    }

    @Test("the Swift example, built with swiftc against PluginKit outside the package's targets, passes the suite and serves",
          .enabled(if: ExampleBuild.tool("swiftc") != nil, "swiftc is not on PATH"))
    func swiftExample() async throws {
        let workdir = try Workdir()
        defer { workdir.remove() }
        let library = try ExampleBuild.swift(into: workdir.plugins)
        try await checkTrainAndServe(library, name: "hourly-profile", in: workdir)
    }

    @Test("a plugin built against the frozen ABI 1.0 header still loads, passes the suite, trains and serves",
          .enabled(if: ExampleBuild.tool("cc") != nil, "no C compiler (cc) on this machine"))
    func abi10Fixture() async throws {
        let workdir = try Workdir()
        defer { workdir.remove() }
        let fixture = BuildProducts.fixture("abi-1.0")
        let library = try ExampleBuild.c(fixture + "/seasonal_naive_1_0.c", includeDirectory: fixture, into: workdir.plugins,
                                         name: "libseasonal_naive_1_0.so")
        try await checkTrainAndServe(library, name: "seasonal-naive-abi-1-0", in: workdir)
    }
}
