import ArgumentParser
import ForecastServer
import ForecastStore
import Foundation
import Hummingbird
import Logging
import PluginProcesses

/// `forecast serve`: the HTTP server and gateway.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve forecasts over HTTP from the loaded plugins, and proxy upstream routes.",
        discussion: """
            Loads every plugin and the newest model files for each route of plugins.json (every \
            loaded plugin is also served at /<plugin name>). Routes with an "upstream" URL are \
            proxied. SIGHUP or POST /admin/reload reloads the model files with \
            no downtime. SIGTERM drains first: /readyz answers 503 for --drain-seconds while \
            requests are still served, so gateways take the host out; then requests in flight \
            finish and it exits. SIGINT shuts down gracefully at once. Prints \
            "listening on http://HOST:PORT" once the socket is bound (use --port 0 for a free port).

            Each plugin's load and forecast calls run in a supervised worker process of its own \
            (`forecast serve-worker`), so a crash, hang or memory blow-up in a plugin takes down \
            only its routes until the worker restarts; plugins.json can say \
            "isolation": "in-process" for a plugin.

            Models are conditioned on the store's observations after their training end, so \
            forecasts start after the latest observation. With a write token \
            (--write-token-file or FORECAST_WRITE_TOKEN) the server accepts POST /observations \
            and POST /admin/reload with "Authorization: Bearer <token>"; without one it starts \
            read-only (POST /admin/reload then works from loopback only, as before).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Address to bind (0.0.0.0 for every interface).")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port to bind; 0 picks a free port.")
    var port = 8080

    @Flag(name: .customLong("no-store"), help: "Do not open the observation store (the page then shows forecasts only).")
    var noStore = false

    @Option(name: .customLong("worker-timeout"), help: ArgumentHelp(
        "Seconds one plugin worker call (load or forecast) may take; past it the worker is killed and restarted.",
        valueName: "seconds"))
    var workerTimeout = 10.0

    @Option(name: .customLong("worker-memory-mb"), help: ArgumentHelp(
        "Address-space limit of each plugin worker in MiB (0: none); past it the plugin's allocations fail.",
        valueName: "MiB"))
    var workerMemoryMB = 2048

    @Option(name: .customLong("worker-restart-delay"), help: ArgumentHelp(
        "Seconds a crashed or timed-out worker waits before its first restart; each further failure in a row doubles it, up to 30 s (or this value, if larger). Its routes answer 503 meanwhile.",
        valueName: "seconds"))
    var workerRestartDelay = 0.5

    @Flag(name: .customLong("in-process"), help: "Run every plugin in the server process, whatever plugins.json says.")
    var inProcess = false

    @Option(name: .customLong("write-token-file"), help: ArgumentHelp(
        "A file holding the bearer token the write endpoints (POST /observations, POST /admin/reload) require; else FORECAST_WRITE_TOKEN. Without either the server is read-only.",
        valueName: "path"))
    var writeTokenFile: String?

    @Option(name: .customLong("drain-seconds"), help: ArgumentHelp(
        "Seconds between SIGTERM and the shutdown, while /readyz answers 503 so that gateways and load balancers take this host out; requests are served throughout, and those in flight at the end finish.",
        valueName: "seconds"))
    var drainSeconds = 2.0

    @Option(name: .customLong("max-body-bytes"), help: ArgumentHelp("The largest request body accepted (larger is 413).", valueName: "bytes"))
    var maxBodyBytes = 4 << 20

    func validate() throws {
        guard (0...65_535).contains(port) else {
            throw ValidationError("--port must be 0...65535; got \(port)")
        }
        guard workerTimeout > 0, workerTimeout <= 3600 else {
            throw ValidationError("--worker-timeout must be in (0, 3600] seconds; got \(workerTimeout)")
        }
        guard maxBodyBytes >= 1024 else {
            throw ValidationError("--max-body-bytes must be at least 1024; got \(maxBodyBytes)")
        }
        guard workerMemoryMB == 0 || workerMemoryMB >= 64 else {
            throw ValidationError("--worker-memory-mb must be 0 (no limit) or at least 64; got \(workerMemoryMB)")
        }
        guard drainSeconds >= 0, drainSeconds <= 3600 else {
            throw ValidationError("--drain-seconds must be in [0, 3600]; got \(drainSeconds)")
        }
        guard workerRestartDelay >= 0, workerRestartDelay <= 3600 else {
            throw ValidationError("--worker-restart-delay must be in [0, 3600] seconds; got \(workerRestartDelay)")
        }
    }

    /// How workers are started, or nil when every plugin runs in this process.
    private func workerSettings() throws -> PluginWorker.Settings? {
        if inProcess { return nil }
        guard let executable = GlobalOptions.executablePath else {
            throw ValidationError("cannot find this executable to start plugin workers; use --in-process")
        }
        return PluginWorker.Settings(executable: executable, arguments: [ServeWorkerCommand.configuration.commandName!],
                                     callTimeout: workerTimeout, memoryLimitMB: workerMemoryMB == 0 ? nil : workerMemoryMB,
                                     firstBackoff: workerRestartDelay, maximumBackoff: max(30, workerRestartDelay))
    }

    func run() async throws {
        var logger = Logger(label: "forecast.serve")
        logger.logLevel = .info
        let config = try global.loadConfig()
        let registry = try global.discoverPlugins(config: config)
        for refusal in registry.refused {
            logger.warning("plugin refused: \(refusal.description)")
        }
        let writeToken: String?
        do {
            writeToken = try WriteAuthorization.loadToken(path: writeTokenFile,
                                                          environment: ProcessInfo.processInfo.environment["FORECAST_WRITE_TOKEN"])
        } catch {
            throw ValidationError("\(error)")
        }
        let (store, storeProblem) = try openStore(writable: writeToken != nil)
        if let storeProblem { logger.notice("observations unavailable for the page: \(storeProblem)") }
        let databaseURL = global.resolvedDatabaseURL
        let shared = databaseURL.hasPrefix("postgres")
            ? SharedModelFollower.start(url: databaseURL, repository: global.modelRepository, logger: logger) : nil
        var configuration = ServerConfiguration(
            host: host, port: port, config: config, plugins: registry.plugins,
            repository: global.modelRepository, store: store, storeProblem: storeProblem,
            workerSettings: try workerSettings())
        configuration.writeToken = writeToken
        configuration.maximumRequestBytes = maxBodyBytes
        logger.info(writeToken == nil ? "read-only: no write token, so POST /observations is refused"
                        : "writes accepted with the bearer token: POST /observations, POST /admin/reload")
        let server = ForecastServer(configuration: configuration, logger: logger)
        for route in server.routes {
            switch route.target {
            case .plugin(let plugin):
                let models = server.library.current.routes[route.name]
                if let problem = models?.problem {
                    logger.warning("/\(route.name) (\(plugin)) answers 503: \(problem)")
                } else {
                    logger.info("/\(route.name) (\(plugin), \(server.library.isolation(of: plugin).rawValue)): \(models?.cities.count ?? 0) cities")
                }
                for (slug, reason) in models?.failures ?? [:] {
                    logger.warning("/\(route.name) \(slug) answers 503: \(reason)")
                }
            case .upstream(let url):
                logger.info("/\(route.name) -> \(route.isReplicated ? route.upstreams.joined(separator: ", ") : url)")
            }
        }
        let listener = shared?.follow(server)
        defer { listener?.stop() }
        let app = await server.buildApplication { host, port in
            FileHandle.standardOutput.write(Data("listening on http://\(host):\(port)\n".utf8))
        }
        try await DrainOnTerminate.run(app, server: server, drain: .milliseconds(Int64(drainSeconds * 1000)))
    }

    /// The store for the page and for conditioning, or why there is none (a missing SQLite
    /// file is not created). `writable` (a write token is set): opened for writing and
    /// migrated, created when missing, and a store that cannot be opened stops the start.
    private func openStore(writable: Bool) throws -> ((any ObservationStore)?, String?) {
        let url = global.resolvedDatabaseURL
        if writable {
            if noStore { throw ValidationError("--no-store leaves POST /observations nowhere to write; drop it or the write token") }
            do {
                return (try StoreFactory.open(url: url, migrate: true, readOnly: false), nil)
            } catch {
                throw ValidationError("cannot open the store \(url) for writing: \(error)")
            }
        }
        if noStore { return (nil, "started with --no-store") }
        if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            if !FileManager.default.fileExists(atPath: path) {
                return (nil, "no store at \(path) (run `forecast ingest` first)")
            }
        }
        do {
            // The server only reads observations: no migrations, and a SQLite file is
            // opened read-only, so it serves as a user that cannot write the store.
            return (try StoreFactory.open(url: url, migrate: false, readOnly: true), nil)
        } catch {
            return (nil, "cannot open the store \(url): \(error)")
        }
    }
}
