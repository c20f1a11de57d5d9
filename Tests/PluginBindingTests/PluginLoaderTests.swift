import Foundation
import PluginBinding
import TestSupport
import Testing

/// The loader's refusals, each with real broken libraries built by the test.
@Suite("plugin loader")
struct PluginLoaderTests {
    /// Loads `path` and returns the refusal's reason, or nil when it loaded.
    private func refusal(_ path: String) -> PluginLoadError.Reason? {
        do {
            _ = try PluginLoader.load(path: path)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test("the C example plugin loads through dlopen and reports its identity")
    func loadsExample() throws {
        let plugin = try BuildProducts.plugin("SeasonalNaive")
        #expect(plugin.name == "seasonal-naive")
        #expect(plugin.abiVersionText == "1.1")
        #expect(plugin.supportsConditioning)
        #expect(!plugin.acceptsMissingValues)
        #expect(plugin.defaultOptionsJSON == #"{"period": 24}"#)
    }

    @Test("the conformance suite passes on the C example")
    func conformanceOnExample() throws {
        let checks = ConformanceSuite(plugin: try BuildProducts.plugin("SeasonalNaive")).run()
        #expect(checks.count >= 15)
        for check in checks {
            #expect(check.passed, "\(check.name): \(check.detail)")
        }
    }

    @Test("a missing file is refused as missing")
    func missingFile() {
        #expect(refusal("/nonexistent/libNothing.so") == .fileMissing)
    }

    @Test("a text file named .so is not a loadable library")
    func textFile() throws {
        let builder = try LibraryBuilder()
        defer { builder.remove() }
        let path = builder.directory + "/notes.so"
        try "this is text, not ELF\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o644)
        guard case .notLoadable(let detail)? = refusal(path) else {
            Issue.record("expected notLoadable, got \(String(describing: refusal(path)))")
            return
        }
        #expect(detail.contains("invalid ELF header") || detail.contains("too short"), "\(detail)")
    }

    @Test("a library for another architecture is refused")
    func wrongArchitecture() throws {
        let builder = try LibraryBuilder()
        defer { builder.remove() }
        let path = try builder.compile(descriptorSource(validFields.replacingOccurrences(of: "NAME", with: "arch")), name: "arch")
        // Patch e_machine (offset 18 of the ELF header) to AArch64 (183): the same file for another machine.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[18] = 183
        bytes[19] = 0
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        guard case .notLoadable(let detail)? = refusal(path) else {
            Issue.record("expected notLoadable for a foreign ELF machine")
            return
        }
        #expect(!detail.isEmpty)
    }

    @Test("a library without the entry symbol is refused")
    func missingEntry() throws {
        let builder = try LibraryBuilder()
        defer { builder.remove() }
        let source = descriptorSource(validFields.replacingOccurrences(of: "NAME", with: "noentry"), entry: "some_other_function")
        let path = try builder.compile(source, name: "noentry")
        #expect(refusal(path) == .entrySymbolMissing)
    }

    @Test("an ABI major version the host does not speak is refused")
    func wrongABIVersion() throws {
        let builder = try LibraryBuilder()
        defer { builder.remove() }
        let fields = validFields.replacingOccurrences(of: "NAME", with: "future")
            .replacingOccurrences(of: ".abi_version = FP_ABI_VERSION", with: ".abi_version = (2u << 16) | 3u")
        let path = try builder.compile(descriptorSource(fields), name: "future")
        #expect(refusal(path) == .unsupportedABI(major: 2, minor: 3))
        #expect(PluginLoadError(path: path, reason: .unsupportedABI(major: 2, minor: 3)).description
            .contains("plugin ABI version 2.3 is not supported"))
    }

    @Test("a descriptor smaller than ABI 1.0's is refused")
    func descriptorTooSmall() throws {
        let builder = try LibraryBuilder()
        defer { builder.remove() }
        let fields = validFields.replacingOccurrences(of: "NAME", with: "small")
            .replacingOccurrences(of: ".struct_size = sizeof(fp_plugin_descriptor)", with: ".struct_size = 16")
        let path = try builder.compile(descriptorSource(fields), name: "small")
        guard case .descriptorTooSmall(let size, _)? = refusal(path) else {
            Issue.record("expected descriptorTooSmall")
            return
        }
        #expect(size == 16)
    }

    @Test("a NULL required function is refused by name")
    func missingFunction() throws {
        let builder = try LibraryBuilder()
        defer { builder.remove() }
        let fields = validFields.replacingOccurrences(of: "NAME", with: "notrain").replacingOccurrences(of: ".train = t, ", with: "")
        let path = try builder.compile(descriptorSource(fields), name: "notrain")
        #expect(refusal(path) == .missingFunction("train"))
    }

    @Test("an empty or malformed name is refused")
    func invalidName() throws {
        let builder = try LibraryBuilder()
        defer { builder.remove() }
        let empty = try builder.compile(descriptorSource(validFields.replacingOccurrences(of: "NAME", with: "")), name: "empty")
        #expect(refusal(empty) == .invalidName(""))
        let spaced = try builder.compile(descriptorSource(validFields.replacingOccurrences(of: "NAME", with: "Bad Name")), name: "spaced")
        #expect(refusal(spaced) == .invalidName("Bad Name"))
    }

    @Test("a NULL descriptor is refused")
    func nullDescriptor() throws {
        let builder = try LibraryBuilder()
        defer { builder.remove() }
        let source = """
            #include "forecast_plugin.h"
            FP_EXPORT const fp_plugin_descriptor *forecast_plugin_entry(void) { return 0; }
            """
        #expect(refusal(try builder.compile(source, name: "null")) == .nullDescriptor)
    }

    @Test("a file writable by others, or in a directory writable by others, is refused")
    func insecurePermissions() throws {
        let builder = try LibraryBuilder()
        defer { builder.remove() }
        let path = try builder.compile(file: BuildProducts.packageRoot + "/Plugins/SeasonalNaive/seasonal_naive.c", name: "sn")
        #expect(refusal(path) == nil)
        chmod(path, 0o666)
        guard case .insecurePermissions(let detail)? = refusal(path) else {
            Issue.record("expected a world-writable file to be refused")
            return
        }
        #expect(detail.contains("writable by group and others"))
        chmod(path, 0o755)
        chmod(builder.directory, 0o777)
        defer { chmod(builder.directory, 0o700) }
        guard case .insecurePermissions(let directoryDetail)? = refusal(path) else {
            Issue.record("expected a file in a world-writable directory to be refused")
            return
        }
        #expect(directoryDetail.contains("its directory"))
        // The check can be turned off only explicitly.
        #expect((try? PluginLoader.load(path: path, checkPermissions: false)) != nil)
    }

    @Test("discovery loads a plugin built outside the package and reports duplicates and refusals")
    func discovery() throws {
        let builder = try LibraryBuilder()
        defer { builder.remove() }
        // The C example, compiled by cc from the header alone, as a third party would.
        try builder.compile(file: BuildProducts.packageRoot + "/Plugins/SeasonalNaive/seasonal_naive.c", name: "libexternal")
        try builder.compile(descriptorSource(validFields, entry: "not_the_entry"), name: "libbroken")
        let registry = try PluginRegistry.discover(in: [builder.directory, BuildProducts.directory])
        let external = try #require(registry.plugin(named: "seasonal-naive"))
        #expect(external.path.hasPrefix(builder.directory))
        // The package's own seasonal-naive comes second and is a duplicate.
        #expect(registry.refused.contains { $0.reason == .duplicateName("seasonal-naive", firstPath: external.path) })
        #expect(registry.refused.contains { $0.path.hasSuffix("libbroken.so") && $0.reason == .entrySymbolMissing })
        // The externally built plugin passes the conformance suite.
        let failures = ConformanceSuite(plugin: external).run().filter { !$0.passed }
        #expect(failures.isEmpty, "\(failures)")
        // --strict: the first refusal is fatal.
        #expect(throws: PluginLoadError.self) {
            _ = try PluginRegistry.discover(in: [builder.directory], strict: true)
        }
    }
}
