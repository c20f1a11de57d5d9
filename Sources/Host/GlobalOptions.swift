import ArgumentParser
import ForecastConfiguration
import ForecastStore
import Foundation
import ModelFiles
import PluginBinding

/// Options shared by every subcommand: where data, the store, the config and plugins live.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Work directory for downloads, processed CSVs, the SQLite store and model files.",
        discussion: "Default: $FORECAST_HOME, else ./forecast-data.", valueName: "dir"))
    var workdir: String?

    @Option(name: .long, help: ArgumentHelp(
        "Store URL: sqlite:///path/file.db or postgresql://user@host:port/db.",
        discussion: "Default: $FORECAST_DATABASE_URL, else a SQLite file <workdir>/forecast.db.", valueName: "url"))
    var database: String?

    @Option(name: .long, help: ArgumentHelp(
        "Path of plugins.json (routes and plugin options).",
        discussion: "Default: $FORECAST_CONFIG, else ./plugins.json when it exists.", valueName: "file"))
    var config: String?

    @Option(name: .customLong("plugin-dir"), help: ArgumentHelp(
        "Directory of plugin libraries (*.so); repeat for several.",
        discussion: "Default: $FORECAST_PLUGIN_DIR, else <config dir>/plugins and the directory of the forecast executable (the build output during development).",
        valueName: "dir"))
    var pluginDirs: [String] = []

    @Flag(name: .long, help: "Treat a plugin that fails to load as a fatal error instead of skipping it.")
    var strict = false

    /// The environment, read once.
    private var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The resolved work directory.
    var resolvedWorkdir: String {
        if let workdir { return workdir }
        if let home = environment["FORECAST_HOME"], !home.isEmpty { return home }
        return "./forecast-data"
    }

    /// The resolved store URL.
    var resolvedDatabaseURL: String {
        if let database { return database }
        if let url = environment["FORECAST_DATABASE_URL"], !url.isEmpty { return url }
        return "sqlite://" + absolute(resolvedWorkdir + "/forecast.db")
    }

    /// Where model files are published.
    var modelRepository: ModelRepository { ModelRepository(root: resolvedWorkdir + "/models") }

    /// The plugins.json path, or nil when none is given and ./plugins.json does not exist.
    var resolvedConfigPath: String? {
        if let config { return config }
        if let path = environment["FORECAST_CONFIG"], !path.isEmpty { return path }
        return FileManager.default.fileExists(atPath: "plugins.json") ? "plugins.json" : nil
    }

    /// Reads plugins.json (or the empty configuration when there is none).
    func loadConfig() throws -> ForecastConfig {
        guard let path = resolvedConfigPath else { return ForecastConfig() }
        do {
            return try ForecastConfig.load(path: path)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// The plugin directories to search, in order.
    func pluginDirectories(config: ForecastConfig) -> [String] {
        if !pluginDirs.isEmpty { return pluginDirs }
        if let dir = environment["FORECAST_PLUGIN_DIR"], !dir.isEmpty {
            return dir.split(separator: ":").map(String.init)
        }
        var directories = config.pluginDirectories
        if let path = resolvedConfigPath {
            let beside = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("plugins").path
            if FileManager.default.fileExists(atPath: beside) { directories.append(beside) }
        }
        if let executable = Self.executableDirectory { directories.append(executable) }
        var seen: Set<String> = []
        return directories.filter { seen.insert($0).inserted }
    }

    /// Loads every plugin in the plugin directories, honouring `--strict`.
    func discoverPlugins(config: ForecastConfig) throws -> PluginRegistry {
        do {
            return try PluginRegistry.discover(in: pluginDirectories(config: config), strict: strict)
        } catch {
            throw ValidationError("plugin refused (--strict): \(error.description)")
        }
    }

    /// Opens (and migrates) the store at ``resolvedDatabaseURL``; throws a `StoreError` that names it.
    func openStore() throws -> any ObservationStore {
        try StoreFactory.open(url: resolvedDatabaseURL)
    }

    /// The running executable's path.
    static var executablePath: String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    }

    /// The directory holding the running executable (SwiftPM's build output in development).
    static var executableDirectory: String? {
        executablePath.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path }
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
