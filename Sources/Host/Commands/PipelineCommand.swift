import ArgumentParser
import ForecastPipeline
import Foundation

/// `forecast pipeline`: fetch, ingest and train in order, with a timing summary.
struct PipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Run fetch, ingest and train in order, with a timing summary per step.",
        discussion: """
            Offline, on the deterministic sample data:
              forecast sample-data --out sample
              forecast pipeline --temperature sample/temperature.csv.zip --humidity sample/humidity.csv.zip \
                --pressure sample/pressure.csv.zip
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var sources: SourceOptions
    @OptionGroup var ingest: IngestOptions
    @OptionGroup var partial: PartialFileOptions
    @OptionGroup var train: TrainOptions
    @OptionGroup var variables: VariableOptions
    @OptionGroup var retention: RetentionOptions

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    func validate() throws { try ingest.check() }

    struct Timing: Encodable {
        var step: String
        var seconds: Double
        var summary: String
    }

    struct Report: Encodable {
        var fetch: [FetchOutcome]
        var ingest: IngestCommand.Report
        var train: [Trainer.JobResult]
        var timings: [Timing]
    }

    func run() async throws {
        var timings: [Timing] = []
        var started = Date()
        // Fetched and checked, but installed only once ingest has loaded them: a file ingest
        // refuses leaves the previous raw files as they were, like the store and the models.
        let selected = try variables.selected()
        let staged = try await FetchCommand.stage(global: global, sources: sources, variables: selected, allowPartialFiles: partial.allowPartialFiles)
        let fetched = staged.outcomes
        timings.append(Timing(step: "fetch", seconds: Date().timeIntervalSince(started),
                              summary: fetched.map { "\($0.variable) \($0.status.rawValue)" }.joined(separator: ", ")))
        if !json { print("fetch: " + timings.last!.summary) }

        started = Date()
        let ingested: IngestCommand.Report
        do {
            ingested = try IngestCommand.perform(global: global, options: ingest, variables: selected,
                                                 allowPartialFiles: partial.allowPartialFiles, staged: staged)
        } catch {
            staged.discard()
            throw error
        }
        try staged.install()
        timings.append(Timing(step: "ingest", seconds: Date().timeIntervalSince(started),
                              summary: "\(ingested.cities.count) city(ies), \(ingested.rowsLoaded) rows loaded into \(ingested.store)"))
        if !json { ingested.printText() }

        // Train the cities just ingested.
        started = Date()
        let trained = try TrainCommand.perform(global: global, options: train, variables: selected,
                                               cities: ingested.cities.map(\.city), retention: retention.retention)
        let failed = trained.filter { !$0.ok }
        timings.append(Timing(step: "train", seconds: Date().timeIntervalSince(started),
                              summary: "\(trained.count - failed.count) of \(trained.count) models published"))

        if json {
            print(try JSONOutput.render(Report(fetch: fetched, ingest: ingested, train: trained, timings: timings)))
        } else {
            for result in trained {
                print(result.ok ? "trained \(result.plugin) \(result.city) \(result.variable) -> \(result.path ?? "")"
                                : "FAILED  \(result.plugin) \(result.city) \(result.variable): \(result.error ?? "")")
            }
            print("")
            printTable(header: ["STEP", "SECONDS", "RESULT"], rows: timings.map { [$0.step, String(format: "%.2f", $0.seconds), $0.summary] }
                       + [["total", String(format: "%.2f", timings.reduce(0) { $0 + $1.seconds }), ""]])
        }
        if !failed.isEmpty {
            FileHandle.standardError.write(Data("\(failed.count) training job(s) failed; their previous models are unchanged\n".utf8))
            throw ExitCode(1)
        }
    }
}
