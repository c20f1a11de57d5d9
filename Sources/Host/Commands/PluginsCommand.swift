import ArgumentParser
import Foundation
import PluginBinding
import PluginProcesses

/// `forecast plugins`: list the plugins found, or check one against the ABI contract.
struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List the model plugins found, or check a plugin library against the contract.",
        subcommands: [PluginsListCommand.self, PluginsCheckCommand.self, PluginsCheckStepCommand.self],
        defaultSubcommand: PluginsListCommand.self
    )
}

/// `forecast plugins list`: every plugin found, with its route, or why it was refused.
struct PluginsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List every plugin in the plugin directories: name, version, ABI, route, file, capabilities, default options; and refusals with their reason."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    func run() async throws {
        let config = try global.loadConfig()
        let registry = try global.discoverPlugins(config: config)
        let routes = config.effectiveRoutes(pluginNames: registry.plugins.map(\.name))
        func routeNames(_ plugin: String) -> [String] {
            routes.filter { $0.target == .plugin(plugin) }.map { "/" + $0.name }
        }
        if json {
            var entries: [[String: Any]] = registry.plugins.map { plugin in
                [
                    "name": plugin.name, "version": plugin.version, "abi": plugin.abiVersionText,
                    "file": plugin.path, "routes": routeNames(plugin.name), "description": plugin.summary,
                    "conditioning": plugin.supportsConditioning, "status": "loaded",
                    "capabilities": plugin.capabilityNames,
                    "defaultOptions": defaultOptionsValue(plugin.defaultOptionsJSON),
                ]
            }
            entries += registry.refused.map { ["file": $0.path, "status": "refused", "error": $0.reasonText] }
            let data = try JSONSerialization.data(withJSONObject: ["plugins": entries], options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        if registry.plugins.isEmpty && registry.refused.isEmpty {
            print("No plugins found in: \(global.pluginDirectories(config: config).joined(separator: ", "))")
            return
        }
        let rows = registry.plugins.map { plugin in
            [plugin.name, plugin.version, plugin.abiVersionText, routeNames(plugin.name).joined(separator: " "), plugin.path]
        }
        printTable(header: ["NAME", "VERSION", "ABI", "ROUTES", "FILE"], rows: rows)
        if !registry.plugins.isEmpty { print("") }
        for plugin in registry.plugins {
            let capabilities = plugin.capabilityNames.isEmpty ? "none" : plugin.capabilityNames.joined(separator: ", ")
            print("\(plugin.name): \(plugin.summary)")
            print("  capabilities: \(capabilities)\(plugin.supportsConditioning ? "; conditioning" : "")")
            print("  default options: \(plugin.defaultOptionsJSON ?? "none published")")
        }
        for refusal in registry.refused {
            print("refused  \(refusal.description)")
        }
        for route in routes {
            if case .plugin(let name) = route.target, registry.plugin(named: name) == nil {
                print("route    /\(route.name): plugin '\(name)' is not loaded (no library with that name in the plugin directories)")
            }
        }
    }
}

/// A plugin's default options as a JSON value: the object it publishes, its text when that
/// is not valid JSON (shown, not hidden), or null.
private func defaultOptionsValue(_ text: String?) -> Any {
    guard let text else { return NSNull() }
    return (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? text
}

/// Prints left-aligned columns separated by two spaces.
func printTable(header: [String], rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    for row in all {
        let cells = row.enumerated().map { index, cell in
            index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }
        print(cells.joined(separator: "  "))
    }
}

/// `forecast plugins check FILE.so`: the conformance suite, each step in a child process.
struct PluginsCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run the conformance suite against a plugin library through the C ABI.",
        discussion: """
            Loads FILE with the same checks as the host (permissions, entry symbol, ABI version, \
            descriptor), then trains on a generated hourly series of \(ConformanceSuite.trainingLength) \
            points (\(ConformanceSuite.trainingLength - ConformanceSuite.conditioningLength) for the \
            conditioning checks, which condition on the \(ConformanceSuite.conditioningLength) after), \
            loads the blob, forecasts at horizons 1-168 and levels 0.5-0.99, forecasts concurrently \
            from 8 threads, and feeds bad input (\(ConformanceSuite.tooShortLength) points, NaN, \
            infinity, unknown options, horizon 0, level 1.5, garbage and truncated blobs) that must be \
            answered with error statuses. A plugin declaring missing values must train and condition \
            on NaN instead. Each step runs in a process of its own, so a crash, abort or hang in the \
            plugin fails that check (named with the signal and the entry point) and the rest still \
            run. A bare file name is a file in the current directory. Exit status 0 when every \
            check passes, 1 when one fails or the library is refused.
            """
    )

    @Argument(help: "The plugin library to check, e.g. .build/debug/libARIMA.so (a bare name: in the current directory).")
    var file: String

    @Option(name: .long, help: "Training options as a JSON object (default: the plugin's defaults).")
    var options: String = "{}"

    @Option(name: .long, help: "Seconds each step may take before it counts as hung.")
    var timeout: Double = 300

    @Flag(name: .long, help: "Print the results as JSON.")
    var json = false

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds, not \(timeout)") }
    }

    func run() async throws {
        guard let executable = GlobalOptions.executablePath else {
            print("forecast plugins check: cannot find this program's own path (/proc/self/exe) to start check processes")
            throw ExitCode(1)
        }
        let path = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
        let suite = IsolatedConformanceSuite(executable: executable, arguments: ["plugins", PluginsCheckStepCommand.configuration.commandName!],
                                             path: path, options: options, timeout: timeout)
        if json {
            let report = suite.run()
            var object: [String: Any] = ["file": path, "passed": report.passed,
                                         "checks": report.checks.map { ["check": $0.name, "passed": $0.passed, "warning": $0.isWarning, "detail": $0.detail] as [String: Any] }]
            if let info = report.info {
                object["plugin"] = info.name
                object["version"] = info.version
                object["abi"] = info.abi
                object["capabilities"] = info.capabilities
            }
            if let refusal = report.refusal { object["refused"] = refusal }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            if !report.passed { throw ExitCode(1) }
            return
        }
        var printedHeader = false
        let report = suite.run { check in
            if !printedHeader {
                print("Trains on \(ConformanceSuite.trainingLength) generated hourly points " +
                      "(\(ConformanceSuite.trainingLength - ConformanceSuite.conditioningLength) + \(ConformanceSuite.conditioningLength) for conditioning); each step in its own process")
                printedHeader = true
            }
            print("  \(check.passed ? (check.isWarning ? "warn" : "pass") : "FAIL")  \(check.name): \(check.detail)")
        }
        if let refusal = report.refusal {
            print("refused  \(refusal)")
            throw ExitCode(1)
        }
        let failed = report.checks.filter { !$0.passed }
        if let info = report.info {
            print("\(info.name) \(info.version) (ABI \(info.abi)) from \(info.path): \(report.checks.count - failed.count) passed, \(failed.count) failed")
        }
        if !failed.isEmpty { throw ExitCode(1) }
    }
}

/// `forecast plugins check-step`: one conformance step, isolated; started by `plugins check`.
///
/// Reads a ``ConformanceStepRequest`` on standard input, writes the entry points it calls
/// and then the ``ConformanceStepReply`` to file descriptor 3.
struct PluginsCheckStepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-step",
        abstract: "Run one conformance step from a request on stdin, replying on fd 3 (started by `forecast plugins check`).",
        shouldDisplay: false
    )

    func run() throws {
        TrainingChild.exitWhenReaderIsGone(descriptor: 3)
        let request = FileHandle.standardInput.readDataToEndOfFile()
        let reply = try ConformanceStepChild.answer([UInt8](request), traceDescriptor: 3).encoded()
        do {
            try FileHandle(fileDescriptor: 3, closeOnDealloc: false).write(contentsOf: reply)
        } catch {
            throw ValidationError("cannot write the reply to file descriptor 3 (this command is started by `forecast plugins check`): \(error)")
        }
    }
}
