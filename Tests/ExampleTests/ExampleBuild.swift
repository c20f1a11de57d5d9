import Foundation
import TestSupport

/// Builds each example plugin under `examples/` the way its author would, into a private
/// directory: C with plain `cc` against the header alone, Rust with `cargo build --offline`,
/// Swift with `swiftc` against the PluginKit this build made.
enum ExampleBuild {
    static var examples: String { BuildProducts.packageRoot + "/examples" }
    static var header: String { BuildProducts.packageRoot + "/Sources/PluginABI/include" }

    /// The path of a program in PATH (or the usual cargo location), nil when it is not installed.
    static func tool(_ name: String) -> String? {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") + ":\(home)/.cargo/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private static func run(_ executable: String, _ arguments: [String], in directory: String? = nil,
                            environment: [String: String]? = nil) throws {
        let run = try ProgramRun.run(executable, arguments, environment: environment, in: directory)
        guard run.status == 0 else {
            throw TestSetupFailure(message: "\(executable) \(arguments.joined(separator: " ")) failed (\(run.termination)):\n\(run.errors)\(run.output)")
        }
    }

    /// `cc -shared` of one C file against `includeDirectory` alone, into `directory/name`.
    static func c(_ source: String, includeDirectory: String = header, into directory: String, name: String) throws -> String {
        let output = "\(directory)/\(name)"
        try SharedLibraryCompiler.compile(source, to: output, includeDirectory: includeDirectory, flags: ["-O2", "-Wall", "-Werror"])
        return output
    }

    /// `cargo build --release --offline` of examples/rust with its target directory under `scratch`.
    static func rust(into directory: String, scratch: String) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["CARGO_TARGET_DIR"] = scratch + "/cargo-target"
        environment["PATH"] = (environment["PATH"] ?? "/usr/bin:/bin") + ":" + ((tool("cargo") as NSString?)?.deletingLastPathComponent ?? "")
        try run(tool("cargo")!, ["build", "--release", "--offline", "--quiet"], in: examples + "/rust", environment: environment)
        let output = "\(directory)/libdaily_profile.so"
        try FileManager.default.copyItem(atPath: scratch + "/cargo-target/release/libdaily_profile.so", toPath: output)
        chmod(output, 0o755)
        return output
    }

    /// `address` or `thread` when `object` was compiled with that sanitizer, by the runtime
    /// functions it calls; nil for a plain build.
    static func sanitizer(of object: String) throws -> String? {
        let symbols = try ProgramRun.run("/usr/bin/env", ["nm", "-u", object]).output
        if symbols.contains("__asan_") { return "address" }
        if symbols.contains("__tsan_") { return "thread" }
        return nil
    }

    /// `swiftc -emit-library` of examples/swift against the PluginKit module and objects this
    /// build produced (PluginKit with PluginABI and Locking, linked statically into the plugin).
    static func swift(into directory: String) throws -> String {
        let build = BuildProducts.directory
        var objects: [String] = []
        for target in ["PluginKit", "Locking", "PluginABI"] {
            let folder = "\(build)/\(target).build"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            objects += names.filter { $0.hasSuffix(".o") }.sorted().map { "\(folder)/\($0)" }
        }
        guard objects.contains(where: { $0.contains("PluginKit.build") }) else {
            throw TestSetupFailure(message: "no PluginKit objects in \(build): run `swift build` first")
        }
        let output = "\(directory)/libHourlyProfile.so"
        let moduleMap = "\(build)/PluginABI.build/module.modulemap"
        var arguments = ["-emit-library", "-module-name", "HourlyProfile", "-parse-as-library", "-Onone",
                         "-I", "\(build)/Modules", "-I", header, "-o", output,
                         examples + "/swift/Sources/HourlyProfile/HourlyProfile.swift"] + objects
        if FileManager.default.fileExists(atPath: moduleMap) { arguments += ["-Xcc", "-fmodule-map-file=\(moduleMap)"] }
        // Under a sanitizer build (scripts/sanitizers) PluginKit's objects are instrumented:
        // link the plugin as SwiftPM links its own, with the same sanitizer.
        if let sanitizer = try sanitizer(of: objects.first { $0.contains("PluginKit.build") }!) { arguments.append("-sanitize=\(sanitizer)") }
        try run(tool("swiftc")!, arguments)
        chmod(output, 0o755)
        return output
    }
}
