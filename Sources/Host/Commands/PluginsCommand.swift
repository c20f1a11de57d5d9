import ArgumentParser
import Foundation
import PluginHost

/// `forecast plugins`: list the plugins found, or check one against the ABI contract.
struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List the model plugins found, or check a plugin library against the contract.",
        subcommands: [PluginsListCommand.self, PluginsCheckCommand.self],
        defaultSubcommand: PluginsListCommand.self
    )
}

/// `forecast plugins list`: every plugin found, with its route, or why it was refused.
struct PluginsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List every plugin in the plugin directories: name, version, ABI, route, file; and refusals with their reason."
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

/// `forecast plugins check FILE.so`: the conformance suite, through the C ABI.
struct PluginsCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run the conformance suite against a plugin library through the C ABI.",
        discussion: """
            Loads FILE with the same checks as the host (permissions, entry symbol, ABI version, \
            descriptor), then trains on generated hourly series, loads the blob, forecasts at \
            horizons 1-168 and levels 0.5-0.99, forecasts concurrently from 8 threads, and feeds \
            bad input (too short, NaN, infinity, unknown options, horizon 0, level 1.5, garbage \
            and truncated blobs) that must be answered with error statuses. Exit status 0 when \
            every check passes.
            """
    )

    @Argument(help: "The plugin library to check, e.g. .build/debug/libARIMA.so.")
    var file: String

    @Option(name: .long, help: "Training options as a JSON object (default: the plugin's defaults).")
    var options: String = "{}"

    @Flag(name: .long, help: "Print the results as JSON.")
    var json = false

    func run() async throws {
        let plugin: LoadedPlugin
        do {
            plugin = try PluginLoader.load(path: file)
        } catch {
            throw ValidationError(error.description)
        }
        let checks = ConformanceSuite(plugin: plugin, options: options).run()
        let failed = checks.filter { !$0.passed }
        if json {
            let entries = checks.map { ["check": $0.name, "passed": $0.passed, "detail": $0.detail] as [String: Any] }
            let data = try JSONSerialization.data(withJSONObject: ["plugin": plugin.name, "checks": entries,
                                                                   "passed": failed.isEmpty], options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("Checking \(plugin.name) \(plugin.version) (ABI \(plugin.abiVersionText)) from \(plugin.path)")
            for check in checks {
                print("  \(check.passed ? "pass" : "FAIL")  \(check.name): \(check.detail)")
            }
            print("\(checks.count - failed.count) passed, \(failed.count) failed")
        }
        if !failed.isEmpty { throw ExitCode(1) }
    }
}
