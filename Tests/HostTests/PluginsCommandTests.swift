import Foundation
import Testing
import TestSupport

/// `forecast plugins` and `forecast plugins check`, run as a user would run them.
@Suite("forecast plugins CLI")
struct PluginsCommandTests {
    /// Runs the built `forecast` executable and returns (exit status, stdout + stderr).
    ///
    /// A bare environment, but a sanitizer run's options (where reports go) still apply,
    /// with its signal handlers off so that a plugin's crash stays a signal.
    private func forecast(_ arguments: [String], in directory: String? = nil) throws -> (Int32, String) {
        var environment = ProcessInfo.processInfo.environment.filter { $0.key.hasSuffix("SAN_OPTIONS") }
        for (key, value) in environment { environment[key] = value + ":handle_segv=0:handle_abort=0" }
        environment["PATH"] = "/usr/bin:/bin"
        let run = try ProgramRun.run(BuildProducts.forecastExecutable, arguments, environment: environment, in: directory)
        return (run.status, run.output + run.errors)
    }

    @Test("lists loaded plugins with their route and each refused file with one line")
    func listing() throws {
        let builder = try LibraryBuilder()
        defer { builder.remove() }
        try builder.compile(file: BuildProducts.packageRoot + "/Plugins/SeasonalNaive/seasonal_naive.c", name: "libbaseline")
        let future = validFields.replacingOccurrences(of: "NAME", with: "future")
            .replacingOccurrences(of: ".abi_version = FP_ABI_VERSION", with: ".abi_version = (2u << 16)")
        try builder.compile(descriptorSource(future), name: "libfuture")
        let (status, output) = try forecast(["plugins", "--plugin-dir", builder.directory])
        #expect(status == 0)
        #expect(output.contains("seasonal-naive  1.0.0"))
        #expect(output.contains("/seasonal-naive"))
        #expect(output.contains(#"default options: {"period": 24}"#))
        #expect(output.contains("capabilities: none; conditioning"))
        let refusals = output.split(separator: "\n").filter { $0.hasPrefix("refused") }
        #expect(refusals.count == 1)
        #expect(refusals.first?.contains("libfuture.so: plugin ABI version 2.0 is not supported") == true)

        let (strictStatus, strictOutput) = try forecast(["plugins", "--plugin-dir", builder.directory, "--strict"])
        #expect(strictStatus != 0)
        #expect(strictOutput.contains("libfuture.so"))
    }

    @Test("--json shows each plugin's default options and capabilities")
    func listingJSON() throws {
        let builder = try LibraryBuilder()
        defer { builder.remove() }
        try builder.compile(file: BuildProducts.packageRoot + "/Plugins/SeasonalNaive/seasonal_naive.c", name: "libbaseline")
        try builder.compile(CheckablePlugin.source(name: "checkable"), name: "libcheckable")
        let (status, output) = try forecast(["plugins", "--json", "--plugin-dir", builder.directory])
        #expect(status == 0, "\(output)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let plugins = try #require(object["plugins"] as? [[String: Any]])
        let baseline = try #require(plugins.first { $0["name"] as? String == "seasonal-naive" })
        #expect((baseline["defaultOptions"] as? [String: Any])?["period"] as? Int == 24)
        #expect(baseline["capabilities"] as? [String] == [])
        let checkable = try #require(plugins.first { $0["name"] as? String == "checkable" })
        #expect(checkable["defaultOptions"] is NSNull)
    }

    @Test("check passes on the C example and exits 1 with the reason, and no usage text, for a refused file")
    func check() throws {
        let (status, output) = try forecast(["plugins", "check", BuildProducts.libraryPath("SeasonalNaive")])
        #expect(status == 0, "\(output)")
        #expect(output.contains("0 failed"))
        #expect(output.contains("Trains on 1440 generated hourly points"))
        let (missingStatus, missingOutput) = try forecast(["plugins", "check", "/nonexistent/lib.so"])
        #expect(missingStatus == 1)
        #expect(missingOutput.contains("/nonexistent/lib.so: file missing"))
        #expect(!missingOutput.contains("USAGE") && !missingOutput.lowercased().contains("usage:"), "\(missingOutput)")
    }

    @Test("check --json reports the plugin, its capabilities and every check; a failure makes passed false and the exit status 1")
    func checkJSON() throws {
        let builder = try LibraryBuilder()
        defer { builder.remove() }
        let good = try builder.compile(CheckablePlugin.source(name: "checkable"), name: "libcheckable")
        let (status, output) = try forecast(["plugins", "check", "--json", good])
        #expect(status == 0, "\(output)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(object["plugin"] as? String == "checkable" && object["abi"] as? String == "1.1")
        #expect(object["capabilities"] as? [String] == [] && object["passed"] as? Bool == true)
        #expect(((object["checks"] as? [[String: Any]]) ?? []).count >= 20)

        let bad = try builder.compile(CheckablePlugin.source(name: "bad", hooks: [.forecast: "if (horizon == 0) abort();"]), name: "libbad")
        let (badStatus, badOutput) = try forecast(["plugins", "check", "--json", bad])
        #expect(badStatus == 1)
        let failed = try #require(try JSONSerialization.jsonObject(with: Data(badOutput.utf8)) as? [String: Any])
        #expect(failed["passed"] as? Bool == false)
        let checks = (failed["checks"] as? [[String: Any]]) ?? []
        #expect(checks.contains { $0["check"] as? String == "horizon 0" && $0["passed"] as? Bool == false })
    }

    @Test("a bare file name is the file in the current directory")
    func bareName() throws {
        let builder = try LibraryBuilder()
        defer { builder.remove() }
        try builder.compile(file: BuildProducts.packageRoot + "/Plugins/SeasonalNaive/seasonal_naive.c", name: "libbaseline")
        let (status, output) = try forecast(["plugins", "check", "libbaseline.so"], in: builder.directory)
        #expect(status == 0, "\(output)")
        #expect(output.contains("from \(builder.directory)/libbaseline.so"))
    }

    /// A fault put at the top of one entry point, and what `plugins check` must say about it.
    struct Fault: Sendable, CustomTestStringConvertible {
        var hook: CheckablePlugin.Hook
        var code: String
        var check: String
        var entry: String
        var ending: String
        var testDescription: String { "\(code) in \(entry)" }
    }

    static let faults: [Fault] = [
        Fault(hook: .train, code: "*(volatile int *)0 = 1;", check: "train", entry: "train", ending: "killed by signal 11"),
        Fault(hook: .load, code: "if (n < 8) abort();", check: "empty blob", entry: "load", ending: "killed by signal 6"),
        Fault(hook: .forecast, code: "if (horizon == 0) *(volatile int *)0 = 1;", check: "horizon 0", entry: "forecast", ending: "killed by signal 11"),
        Fault(hook: .forecast, code: "if (level > 1) for (;;) sleep(1);", check: "level outside", entry: "forecast", ending: "within 30 s"),
        Fault(hook: .condition, code: "if (s->count == 0) abort();", check: "condition", entry: "condition", ending: "killed by signal 6"),
        Fault(hook: .releaseModel, code: "*(volatile int *)0 = 1;", check: "load", entry: "release_model", ending: "killed by signal 11"),
        Fault(hook: .releaseBuffer, code: "if (b == NULL) abort();", check: "release", entry: "release_buffer", ending: "killed by signal 6"),
    ]

    @Test("check survives a plugin that crashes, aborts or hangs in an entry point, and names the check, the entry and the signal",
          arguments: faults)
    func survivesFaults(fault: Fault) throws {
        let builder = try LibraryBuilder()
        defer { builder.remove() }
        let library = try builder.compile(CheckablePlugin.source(name: "faulty", hooks: [fault.hook: fault.code]), name: "libfaulty")
        let (status, output) = try forecast(["plugins", "check", "--timeout", "30", library])
        #expect(status == 1, "\(output)")
        let failures = output.split(separator: "\n").filter { $0.contains("FAIL") }
        #expect(failures.count == 1, "\(output)")
        let line = String(failures.first ?? "")
        #expect(line.contains("FAIL  \(fault.check)"), "\(line)")
        #expect(line.contains(" in \(fault.entry) ") && line.contains(fault.ending), "\(line)")
        #expect(output.contains("pass  descriptor"))
        #expect(output.contains("faulty 0.1 (ABI 1.1)") && output.contains("1 failed"), "\(output)")
    }

    @Test("a library whose entry function crashes is refused with the signal, exit status 1")
    func crashingEntry() throws {
        let builder = try LibraryBuilder()
        defer { builder.remove() }
        let source = """
            #include "forecast_plugin.h"
            #include <stdlib.h>
            FP_EXPORT const fp_plugin_descriptor *forecast_plugin_entry(void) { abort(); }
            """
        let (status, output) = try forecast(["plugins", "check", try builder.compile(source, name: "libentry")])
        #expect(status == 1, "\(output)")
        #expect(output.contains("libentry.so: the plugin crashed in forecast_plugin_entry (check process killed by signal 6"), "\(output)")
    }

    @Test("the same plugin without faults passes every check")
    func checkablePasses() throws {
        let builder = try LibraryBuilder()
        defer { builder.remove() }
        let (status, output) = try forecast(["plugins", "check", try builder.compile(CheckablePlugin.source(name: "faulty"), name: "libfaulty")])
        #expect(status == 0, "\(output)")
        #expect(output.contains(" 0 failed"))
    }
}
