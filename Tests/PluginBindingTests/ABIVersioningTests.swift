import Foundation
import PluginABI
import PluginBinding
import Synchronization
import TestSupport
import Testing

/// The minor-version rules of forecast_plugin.h, on both sides: a reader accepts any size
/// from the 1.0 size up and reads only the fields that size covers.
@Suite("ABI minor versions")
struct ABIVersioningTests {
    /// The frozen copy of the ABI 1.0 header and a plugin written against it.
    static let fixtureDirectory = BuildProducts.fixture("abi-1.0")

    /// Builds the 1.0 fixture plugin with cc against the frozen 1.0 header alone.
    static func buildFixture(into builder: LibraryBuilder) throws -> String {
        let output = "\(builder.directory)/libseasonal_naive_1_0.so"
        let run = try ProgramRun.run("/usr/bin/env", ["cc", "-shared", "-fPIC", "-O1", "-I", fixtureDirectory, "-o", output,
                                                      fixtureDirectory + "/seasonal_naive_1_0.c", "-lm"])
        guard run.status == 0 else { throw TestSetupFailure(message: "cc failed for the ABI 1.0 fixture: \(run.errors)") }
        chmod(output, 0o755)
        return output
    }

    @Test("a plugin built against the frozen 1.0 header loads, declares no capabilities and passes the suite")
    func abi10PluginLoads() throws {
        let builder = try LibraryBuilder()
        defer { builder.remove() }
        let plugin = try PluginLoader.load(path: try Self.buildFixture(into: builder))
        #expect(plugin.name == "seasonal-naive-abi-1-0")
        #expect(plugin.abiVersionText == "1.0")
        #expect(plugin.capabilities == 0)
        #expect(!plugin.acceptsMissingValues)
        let checks = ConformanceSuite(plugin: plugin).run()
        for check in checks {
            #expect(check.passed, "\(check.name): \(check.detail)")
        }
        // Its fit summary predates the one-line description: a warning, not a failure.
        let description = try #require(checks.first { $0.name == "summary description" })
        #expect(description.isWarning)
    }

    @Test("the 1.0 descriptor size is what the frozen header's struct measured")
    func sizes() throws {
        // Eleven pointers after two 32-bit fields, on this 64-bit machine.
        #expect(PluginABIInfo.minimumDescriptorSize == 8 + 11 * MemoryLayout<UnsafeRawPointer>.size)
        #expect(MemoryLayout<fp_plugin_descriptor>.size == PluginABIInfo.minimumDescriptorSize + 8)
        #expect(PluginABIInfo.text == "1.1")
        #expect(PluginABIInfo.packed == (1 << 16 | 1))
    }

    /// A descriptor with `fields`, and `after` (C) placed right behind it in one struct, so
    /// that reading past `struct_size` would read those bytes.
    private func library(_ builder: LibraryBuilder, name: String, fields: String, after: String = "0xFFFFFFFFFFFFFFFFull") throws -> LoadedPlugin {
        let source = descriptorSource(fields.replacingOccurrences(of: "NAME", with: name))
            .replacingOccurrences(of: "static const fp_plugin_descriptor d = {", with: "static const struct { fp_plugin_descriptor d; uint64_t tail; } both = { {")
            .replacingOccurrences(of: "FP_EXPORT const fp_plugin_descriptor *forecast_plugin_entry(void) { return &d; }",
                                  with: "FP_EXPORT const fp_plugin_descriptor *forecast_plugin_entry(void) { return &both.d; }")
            .replacingOccurrences(of: " };\nFP_EXPORT", with: " }, \(after) };\nFP_EXPORT")
        return try PluginLoader.load(path: try builder.compile(source, name: name))
    }

    @Test("capabilities are read only when struct_size covers the field, and only from a 1.1 plugin")
    func capabilitiesCovered() throws {
        let builder = try LibraryBuilder()
        defer { builder.remove() }
        let declared = try library(builder, name: "declares", fields: validFields + ", .capabilities = FP_CAPABILITY_MISSING_VALUES")
        #expect(declared.acceptsMissingValues)
        #expect(declared.capabilityNames == ["missing-values"])

        // A 1.0-sized descriptor: the capabilities field lies past its end and must not be read.
        let short = validFields.replacingOccurrences(of: ".struct_size = sizeof(fp_plugin_descriptor)", with: ".struct_size = FP_PLUGIN_DESCRIPTOR_SIZE_1_0")
        let oldSize = try library(builder, name: "oldsize", fields: short + ", .capabilities = FP_CAPABILITY_MISSING_VALUES")
        #expect(oldSize.capabilities == 0)
        #expect(!oldSize.acceptsMissingValues)

        // A plugin that says it is 1.0 has no capabilities, whatever its size.
        let old = validFields.replacingOccurrences(of: ".abi_version = FP_ABI_VERSION", with: ".abi_version = FP_ABI_VERSION_1_0")
        #expect(try library(builder, name: "oldversion", fields: old + ", .capabilities = FP_CAPABILITY_MISSING_VALUES").capabilities == 0)

        // A descriptor from a later minor version, bigger than this host's struct, loads; unknown bits are shown, not used.
        let bigger = validFields.replacingOccurrences(of: ".struct_size = sizeof(fp_plugin_descriptor)", with: ".struct_size = sizeof(fp_plugin_descriptor) + 8")
            .replacingOccurrences(of: ".abi_version = FP_ABI_VERSION", with: ".abi_version = (1u << 16) | 7u")
        let future = try library(builder, name: "future", fields: bigger + ", .capabilities = 0x5")
        #expect(future.abiVersionText == "1.7")
        #expect(future.acceptsMissingValues)
        #expect(future.capabilityNames == ["missing-values", "unknown bits 0x4"])
    }

    @Test("a descriptor one byte short of ABI 1.0 is refused, naming both sizes")
    func tooSmall() throws {
        let builder = try LibraryBuilder()
        defer { builder.remove() }
        let fields = validFields.replacingOccurrences(of: ".struct_size = sizeof(fp_plugin_descriptor)", with: ".struct_size = FP_PLUGIN_DESCRIPTOR_SIZE_1_0 - 1")
        #expect(throws: PluginLoadError(path: "\(builder.directory)/short.so",
                                        reason: .descriptorTooSmall(size: UInt32(PluginABIInfo.minimumDescriptorSize - 1),
                                                                    needed: PluginABIInfo.minimumDescriptorSize))) {
            _ = try PluginLoader.load(path: try builder.compile(descriptorSource(fields.replacingOccurrences(of: "NAME", with: "short")), name: "short"))
        }
    }

    @Test("PluginKit uses the host services a smaller host struct covers, and only those")
    func smallerHostStruct() throws {
        let library = try #require(dlopen(BuildProducts.libraryPath("AutoReg"), RTLD_NOW | RTLD_LOCAL), "run swift build first")
        let entry = unsafeBitCast(try #require(dlsym(library, FORECAST_PLUGIN_ENTRY_NAME)), to: fp_plugin_entry_fn.self)
        let descriptor = try #require(entry()).pointee
        let series = ConformanceSuite.generatedSeries(count: 24 * 30)

        func train(hostSize: Int) throws -> (logs: Int, progress: Int) {
            HostCounters.logs.store(0, ordering: .relaxed)
            HostCounters.progress.store(0, ordering: .relaxed)
            var host = fp_host(struct_size: UInt32(hostSize), abi_version: FP_ABI_VERSION_1_0, context: nil,
                               log: { _, _, _ in HostCounters.logs.add(1, ordering: .relaxed) },
                               progress: { _, _, _ in HostCounters.progress.add(1, ordering: .relaxed) },
                               is_cancelled: { _ in 1 })
            var trained = fp_trained()
            var error = [CChar](repeating: 0, count: 256)
            let status = series.values.withUnsafeBufferPointer { values in
                var raw = fp_series(values: values.baseAddress, count: values.count, start_time: series.startTime, step_seconds: 3600)
                return descriptor.train!(&host, &raw, "{}", &trained, &error, error.count)
            }
            descriptor.release_buffer!(trained.blob)
            descriptor.release_buffer!(trained.summary_json)
            #expect(status == (hostSize == MemoryLayout<fp_host>.size ? FP_STATUS_CANCELLED : FP_STATUS_OK),
                    "host of \(hostSize) bytes: \(String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
            return (HostCounters.logs.load(ordering: .relaxed), HostCounters.progress.load(ordering: .relaxed))
        }
        // Only `log` covered: AutoReg logs its choice, and never calls progress or is_cancelled
        // (which would cancel it) beyond the end of the struct.
        let logOnly = try train(hostSize: MemoryLayout<fp_host>.offset(of: \.progress)!)
        #expect(logOnly.logs > 0)
        #expect(logOnly.progress == 0)
        // Up to progress: progress too, still no cancellation.
        let withProgress = try train(hostSize: MemoryLayout<fp_host>.offset(of: \.is_cancelled)!)
        #expect(withProgress.progress > 0)
        // The whole struct: is_cancelled is read and cancels.
        _ = try train(hostSize: MemoryLayout<fp_host>.size)
    }
}

/// Calls the test's C host functions made (they cannot capture).
private enum HostCounters {
    static let logs = Atomic<Int>(0)
    static let progress = Atomic<Int>(0)
}
