import Dispatch
import ForecastConfiguration
import ForecastStore
import Foundation
import Logging
import ModelFiles
import PluginBinding
import Synchronization

/// The train step: every (plugin, city, variable) job, in parallel across cores.
///
/// Each job reads its series from the store (``SeriesExtractor``), calls the plugin's
/// train entry point through the C ABI with the options from plugins.json, and
/// publishes a model file atomically with its full manifest, once it has passed the
/// ``publishGate`` (its data ends no earlier than the published model's; it loads and
/// forecasts soundly). A job that fails publishes nothing, so the previous model of that
/// city and variable stays; the others go on.
/// Where the train call runs is the ``executor``'s choice: `forecast train` runs each in a
/// child process with a time limit (``ChildProcessTraining``), so a plugin that crashes or
/// hangs fails only its own job.
public struct Trainer: Sendable {
    /// One unit of work.
    public struct Job: Sendable {
        /// The plugin.
        public var plugin: LoadedPlugin
        /// The city.
        public var city: String
        /// The variable.
        public var variable: Variable
        /// The plugin's options (a JSON object).
        public var options: String
    }

    /// The outcome of one job.
    public struct JobResult: Sendable, Codable {
        /// Plugin name.
        public var plugin: String
        /// City.
        public var city: String
        /// Variable.
        public var variable: String
        /// True when a model file was published.
        public var ok: Bool
        /// The published file.
        public var path: String?
        /// Points trained on.
        public var count: Int?
        /// First hour trained on (Unix seconds).
        public var firstTime: Int64?
        /// Last hour trained on (Unix seconds).
        public var lastTime: Int64?
        /// Seconds spent in the plugin's train call.
        public var seconds: Double
        /// Why it failed.
        public var error: String?
    }

    /// Where models are published.
    public var repository: ModelRepository
    /// How a series is cut from the stored columns.
    public var extractor: SeriesExtractor
    /// Jobs run at once (default: the number of cores).
    public var parallelism: Int
    /// Train on at most this many of the newest hours of the series (nil: all of it).
    public var maxPoints: Int?
    /// Where each train call runs (default: in this process).
    public var executor: any TrainingExecutor
    /// What a new model must pass before it is published.
    public var publishGate: PublishGate

    /// Creates a train step.
    public init(repository: ModelRepository, extractor: SeriesExtractor = SeriesExtractor(),
                parallelism: Int = ProcessInfo.processInfo.activeProcessorCount, maxPoints: Int? = nil,
                executor: any TrainingExecutor = InProcessTraining(), publishGate: PublishGate = PublishGate()) {
        self.repository = repository
        self.publishGate = publishGate
        self.executor = executor
        self.extractor = extractor
        self.parallelism = max(1, parallelism)
        self.maxPoints = maxPoints
    }

    /// The newest `maxPoints` hours of `series`.
    public func limited(_ series: TimeSeries) -> TimeSeries {
        guard let maxPoints, maxPoints > 0, series.count > maxPoints else { return series }
        return series.slice((series.count - maxPoints)..<series.count)
    }

    /// The jobs for every plugin × city × variable, with each plugin's options from `config`.
    public static func jobs(plugins: [LoadedPlugin], cities: [String], variables: [Variable] = Variable.defaults,
                            config: ForecastConfig) -> [Job] {
        var jobs: [Job] = []
        for plugin in plugins {
            for city in cities {
                for variable in variables {
                    jobs.append(Job(plugin: plugin, city: city, variable: variable, options: config.options(for: plugin.name, variable: variable)))
                }
            }
        }
        return jobs
    }

    /// The jobs for every plugin × city × variable of that city (`variables[city]`; a city
    /// not in it gets none), with each plugin's options from `config`.
    public static func jobs(plugins: [LoadedPlugin], cities: [String], variables: [String: [Variable]],
                            config: ForecastConfig) -> [Job] {
        var jobs: [Job] = []
        for plugin in plugins {
            for city in cities {
                for variable in variables[city] ?? [] {
                    jobs.append(Job(plugin: plugin, city: city, variable: variable, options: config.options(for: plugin.name, variable: variable)))
                }
            }
        }
        return jobs
    }

    /// Runs `jobs`, reading series from `store`; the results come back in job order.
    public func run(_ jobs: [Job], store: any ObservationStore, progress: ProgressReporter,
                    logger: Logger = Logger(label: "forecast.train")) throws(PipelineError) -> [JobResult] {
        // Read each city's columns once, before the parallel part.
        var seriesByCity: [String: CitySeries] = [:]
        for city in Set(jobs.map(\.city)) {
            do {
                seriesByCity[city] = try store.series(city: city, from: nil, to: nil)
            } catch {
                throw PipelineError(.store, "cannot read \(city) from the store: \(error)")
            }
        }
        let citySeries = seriesByCity
        // Create the model directories up front: concurrent createDirectory calls on the
        // same parents race in Foundation and fail spuriously.
        for job in jobs {
            let path = repository.path(plugin: job.plugin.name, city: job.city, variable: job.variable.rawValue)
            let directory = (path as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw PipelineError(.model, "cannot create \(directory): \(error.localizedDescription)")
            }
        }
        let results = ParallelResults<JobResult, Never>(count: jobs.count)
        let next = Atomic<Int>(0)
        let finished = Atomic<Int>(0)
        progress.begin("train", label: "train", total: Double(jobs.count), unit: "models")
        DispatchQueue.concurrentPerform(iterations: min(parallelism, max(jobs.count, 1))) { _ in
            while true {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard index < jobs.count else { return }
                let result = runJob(jobs[index], stored: citySeries[jobs[index].city], logger: logger)
                results.set(index, .success(result))
                let done = finished.wrappingAdd(1, ordering: .relaxed).newValue
                let label = "\(result.plugin) \(result.city) \(result.variable)"
                if result.ok {
                    progress.log("trained \(label): \(result.count ?? 0) points in \(String(format: "%.2f", result.seconds)) s")
                } else {
                    progress.log("FAILED \(label): \(result.error ?? "unknown error") (the previous model, if any, is kept)")
                }
                progress.update("train", done: Double(done))
            }
        }
        progress.finish("train", message: "\(jobs.count) job(s) done")
        return jobs.indices.map { results.get($0) }
    }

    private func runJob(_ job: Job, stored: CitySeries?, logger: Logger) -> JobResult {
        var result = JobResult(plugin: job.plugin.name, city: job.city, variable: job.variable.rawValue, ok: false, seconds: 0)
        // A plugin declaring FP_CAPABILITY_MISSING_VALUES trains on all of the history with
        // NaN for the missing hours; the newest --max-points hours still start with an observation.
        guard let stored, let series = extractor.series(stored, variable: job.variable, acceptsMissingValues: job.plugin.acceptsMissingValues)
            .map(limited)?.trimmingMissingEnds() else {
            result.error = "no \(job.variable.rawValue) observations for \(job.city) in the store (run `forecast ingest --city '\(job.city)'`)"
            return result
        }
        result.count = series.count
        result.firstTime = series.startTime
        result.lastTime = series.lastTime
        let target = repository.path(plugin: job.plugin.name, city: job.city, variable: job.variable.rawValue)
        if let refusal = publishGate.olderDataRefusal(lastTime: series.lastTime, replacing: target) {
            result.error = refusal
            return result
        }
        let started = Date()
        let output: TrainingOutput
        do {
            output = try executor.train(job.plugin, series: series, options: job.options, observer: TrainingObserver(logger: logger))
        } catch {
            result.seconds = Date().timeIntervalSince(started)
            result.error = error.description
            return result
        }
        result.seconds = Date().timeIntervalSince(started)
        if let refusal = publishGate.checkRefusal(job.plugin, blob: output.blob, variable: job.variable) {
            result.error = refusal
            return result
        }
        let manifest = ModelManifest(
            plugin: job.plugin.name, pluginVersion: job.plugin.version, abiVersion: job.plugin.abiVersion,
            city: job.city, variable: job.variable.rawValue, firstTime: series.startTime, lastTime: series.lastTime,
            stepSeconds: series.stepSeconds, count: series.count, trainedAt: Int64(Date().timeIntervalSince1970),
            trainingSeconds: result.seconds, options: job.options, summary: output.summaryJSON,
            blobSize: output.blob.count, blobSHA256: ModelFile.sha256(output.blob))
        do {
            result.path = try repository.publish(ModelFile(manifest: manifest, blob: output.blob))
            result.ok = true
        } catch {
            result.error = "cannot publish the model: \(error)"
        }
        return result
    }
}
