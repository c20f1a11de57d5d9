import ArgumentParser
import ForecastPipeline
import ForecastStore
import Foundation
import PluginBinding
import PluginProcesses

/// `forecast train`: train every plugin on every stored city and variable, in parallel.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train each model plugin on each city and variable from the store, in parallel, and publish the model files.",
        discussion: """
            Each series is the most recent contiguous run of hours in the store (long gaps are never \
            filled). Options come from plugins.json. Model files are written atomically under \
            <workdir>/models/<plugin>/<city>/<variable>.model; a plugin that fails leaves the previous \
            model in place and the others still train. Exits with status 1 when any job failed.

            Each train call runs in a child process of its own with a time limit (--job-timeout), so a \
            plugin that crashes, aborts or hangs fails only its own job. --in-process calls the \
            plugins in this process instead (no isolation; for debugging a plugin).

            Before a new model is published it must pass two checks, else its job fails with the reason \
            and the previous model stays: its training data must not end earlier than that of the model \
            it replaces (--allow-older-data publishes it anyway), and, through its plugin (in a child \
            process too, unless --in-process), it must load and forecast 1 to 168 hours at the levels \
            0.8 and 0.95 with every value finite, lower <= mean <= upper and every mean plausible \
            (\(Variable.plausibleForecastRangesText)).

            By default each city trains every variable the store holds values of for it (a store \
            with humidity alone trains humidity models); --variables (or --variable) picks some, and \
            a picked variable the store has no values of fails its jobs with that reason.

            With a PostgreSQL store the published models also go into the store as one generation \
            (every host serving from it reloads on the notification); then generations older than \
            --retention-days are pruned, keeping the --keep-per-model newest of every model \
            (see `forecast prune-models --help`).
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: TrainOptions
    @OptionGroup var variables: VariableOptions
    @OptionGroup var retention: RetentionOptions

    @Option(name: .customLong("city"), help: ArgumentHelp("A city to train; repeat for several (default: every city in the store).", valueName: "name"))
    var cities: [String] = []

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    func run() async throws {
        let results = try Self.perform(global: global, options: selection, variables: try variables.selected(), cities: cities,
                                       retention: retention.retention)
        if json {
            print(try JSONOutput.render(results))
        } else {
            for result in results {
                if result.ok {
                    print("ok      \(result.plugin) \(result.city) \(result.variable): \(result.count ?? 0) points \(result.firstTime.map(Timestamp.format) ?? "") .. \(result.lastTime.map(Timestamp.format) ?? ""), \(String(format: "%.2f", result.seconds)) s -> \(result.path ?? "")")
                } else {
                    print("FAILED  \(result.plugin) \(result.city) \(result.variable): \(result.error ?? "")")
                }
            }
        }
        let failed = results.filter { !$0.ok }.count
        if failed > 0 {
            FileHandle.standardError.write(Data("\(failed) of \(results.count) training job(s) failed; their previous models are unchanged\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Runs the step; shared with `forecast pipeline`.
    static func perform(global: GlobalOptions, options: TrainOptions, variables listed: [Variable]? = nil,
                        cities requested: [String], retention: ModelRetention) throws -> [Trainer.JobResult] {
        let config = try global.loadConfig()
        let registry = try global.discoverPlugins(config: config)
        var plugins = registry.plugins
        if !options.plugins.isEmpty {
            plugins = try options.plugins.map { name in
                guard let plugin = registry.plugin(named: name) else {
                    let known = registry.plugins.map(\.name).joined(separator: ", ")
                    throw ValidationError("no plugin named '\(name)' in \(global.pluginDirectories(config: config).joined(separator: ", ")) (found: \(known.isEmpty ? "none" : known))")
                }
                return plugin
            }
        }
        guard !plugins.isEmpty else {
            throw PipelineError(.usage, "no plugins found in \(global.pluginDirectories(config: config).joined(separator: ", ")); build them (swift build) or pass --plugin-dir")
        }
        let store = try global.openStore()
        let cities = requested.isEmpty ? try store.cities() : requested
        guard !cities.isEmpty else {
            throw PipelineError(.usage, "the store has no observations; run `forecast ingest` first")
        }
        let picked = Variable.allCases.filter { options.variables.contains($0) || listed?.contains($0) == true }
        var variables: [String: [Variable]] = [:]
        if picked.isEmpty {
            // What each city has; a city with nothing stored gets the two default variables,
            // whose jobs then fail saying so.
            let coverage = try store.coverage(cities: cities)
            for city in cities { variables[city] = coverage[city]?.variables ?? Variable.defaults }
        } else {
            for city in cities { variables[city] = picked }
        }
        let jobs = Trainer.jobs(plugins: plugins, cities: cities, variables: variables, config: config)
        let trainer = Trainer(repository: global.modelRepository,
                              extractor: SeriesExtractor(minimumCount: options.minPoints),
                              parallelism: options.jobs ?? ProcessInfo.processInfo.activeProcessorCount,
                              maxPoints: options.maxPoints,
                              executor: try options.executor(),
                              publishGate: PublishGate(checker: try options.checker(), allowOlderData: options.allowOlderData))
        let progress = ProgressReporter()
        defer { progress.close() }
        let results = try trainer.run(jobs, store: store, progress: progress)
        let url = global.resolvedDatabaseURL
        if url.hasPrefix("postgres"), results.contains(where: \.ok) {
            // Every host serving from this store reloads on the notification.
            let shared = try PostgresModelStore(url: url)
            if let generation = try SharedModels.publish(results, repository: global.modelRepository, store: shared) {
                FileHandle.standardError.write(Data("published generation \(generation) (\(results.filter(\.ok).count) models) into \(shared.displayURL)\n".utf8))
                // Only after a publish: the generations it replaced may now go. A failure here
                // leaves them for the next run and does not fail the training.
                do {
                    for line in try retention.prune(store: shared, repository: global.modelRepository) {
                        FileHandle.standardError.write(Data("\(line)\n".utf8))
                    }
                } catch {
                    FileHandle.standardError.write(Data("warning: old model generations not pruned: \(error)\n".utf8))
                }
            }
        }
        return results
    }
}

extension Variable: ExpressibleByArgument {}

/// What to train (`train` and `pipeline`).
struct TrainOptions: ParsableArguments {
    @Option(name: .customLong("plugin"), help: ArgumentHelp("A plugin to train; repeat for several (default: every plugin found).", valueName: "name"))
    var plugins: [String] = []

    @Option(name: .customLong("variable"), help: ArgumentHelp("A variable to train (\(Variable.allCases.map(\.name).joined(separator: ", "))); repeat for several (default: every variable the store has for the city).", valueName: "name"))
    var variables: [Variable] = []

    @Option(name: .long, help: "Training jobs run at once (default: the number of cores).")
    var jobs: Int?

    @Option(name: .customLong("min-points"), help: "Prefer the newest contiguous segment with at least this many hours.")
    var minPoints = 336

    @Option(name: .customLong("max-points"), help: "Train on at most this many of the newest hours (default: the whole segment).")
    var maxPoints: Int?

    @Option(name: .customLong("job-timeout"), help: ArgumentHelp(
        "Seconds one plugin's train call may take before its process is killed and the job fails (0: no limit).",
        valueName: "seconds"))
    var jobTimeout: Double = 600

    @Flag(name: .customLong("in-process"), help: "Call the plugins in this process: no crash isolation and no --job-timeout.")
    var inProcess = false

    @Flag(name: .customLong("allow-older-data"), help: "Publish a new model even when its training data ends earlier than that of the model it replaces.")
    var allowOlderData = false

    func validate() throws {
        guard jobTimeout >= 0, jobTimeout.isFinite else {
            throw ValidationError("--job-timeout must be a number of seconds >= 0 (0: no limit), not \(jobTimeout)")
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, not \(jobs)") }
    }

    /// Where train calls run: a child process per call (this executable's `train-child`), or here.
    func executor() throws -> any TrainingExecutor {
        if inProcess { return InProcessTraining() }
        guard let executable = GlobalOptions.executablePath else {
            throw PipelineError(.usage, "cannot find this program's own path (/proc/self/exe) to start training processes; use --in-process")
        }
        return ChildProcessTraining(executable: executable, arguments: [TrainChildCommand.configuration.commandName!],
                                    timeout: jobTimeout > 0 ? jobTimeout : nil)
    }

    /// Where each new model's publish check runs: a child process per check (this
    /// executable's `check-child`), or here with --in-process.
    func checker() throws -> any ModelChecker {
        if inProcess { return InProcessModelCheck() }
        guard let executable = GlobalOptions.executablePath else {
            throw PipelineError(.usage, "cannot find this program's own path (/proc/self/exe) to start checking processes; use --in-process")
        }
        return ChildProcessModelCheck(executable: executable, arguments: [CheckChildCommand.configuration.commandName!],
                                      timeout: jobTimeout > 0 ? jobTimeout : nil)
    }
}
