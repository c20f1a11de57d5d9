import Foundation
import Testing
import TestSupport

/// `forecast plugins` and `forecast plugins check`, run as a user would run them.
@Suite("forecast plugins CLI")
struct PluginsCommandTests {
    /// Runs the built `forecast` executable and returns (exit status, stdout + stderr).
    private func forecast(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuildProducts.forecastExecutable)
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
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
