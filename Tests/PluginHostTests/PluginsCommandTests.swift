import Foundation
import Testing
import TestSupport

/// `forecast plugins` and `forecast plugins check`, run as a user would run them.
@Suite("forecast plugins CLI")
struct PluginsCommandTests {
    /// Runs the built `forecast` executable and returns (exit status, stdout + stderr).
    private func forecast(_ arguments: [String]) throws -> (Int32, String) {
        // A bare environment, but a sanitizer run's options (where reports go) still apply.
        let sanitizerOptions = ProcessInfo.processInfo.environment.filter { $0.key.hasSuffix("SAN_OPTIONS") }
        let run = try ProgramRun.run(BuildProducts.forecastExecutable, arguments,
                                     environment: sanitizerOptions.merging(["PATH": "/usr/bin:/bin"]) { $1 })
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
        let refusals = output.split(separator: "\n").filter { $0.hasPrefix("refused") }
        #expect(refusals.count == 1)
        #expect(refusals.first?.contains("libfuture.so: plugin ABI version 2.0 is not supported") == true)

        let (strictStatus, strictOutput) = try forecast(["plugins", "--plugin-dir", builder.directory, "--strict"])
        #expect(strictStatus != 0)
        #expect(strictOutput.contains("libfuture.so"))
    }

    @Test("check passes on the C example and exits non-zero for a refused file")
    func check() throws {
        let (status, output) = try forecast(["plugins", "check", BuildProducts.libraryPath("SeasonalNaive")])
        #expect(status == 0, "\(output)")
        #expect(output.contains("0 failed"))
        let (missingStatus, missingOutput) = try forecast(["plugins", "check", "/nonexistent/lib.so"])
        #expect(missingStatus != 0)
        #expect(missingOutput.contains("/nonexistent/lib.so: file missing"))
    }
}
