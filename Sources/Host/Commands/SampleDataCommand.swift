import ArgumentParser
import ForecastPipeline
import Foundation

/// `forecast sample-data --out DIR`: a deterministic data set in the source's format, for offline runs.
struct SampleDataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample-data",
        abstract: "Write temperature.csv.zip, humidity.csv.zip and pressure.csv.zip in the source's format (deterministic, offline).",
        discussion: """
            The files look like the public sources: 36 city columns in the same order, hourly rows \
            from 2012-10-01 12:00:00 UTC, kelvin, percent and hectopascals, a mostly empty first row, \
            short gaps, a few long gaps and a missing tail. Feed them to the pipeline:
              forecast sample-data --out sample
              forecast pipeline --temperature sample/temperature.csv.zip --humidity sample/humidity.csv.zip \
                --pressure sample/pressure.csv.zip
            """
    )

    @Option(name: .long, help: ArgumentHelp("Directory to write the archives into.", valueName: "dir"))
    var out: String

    @Option(name: .long, help: "Rows (hours) per file; the real sources have 45253.")
    var hours = SampleDataGenerator.sourceHours

    @Option(name: .long, help: "Seed of the generator: the same seed and size give identical files.")
    var seed: UInt64 = 2012

    @Flag(name: .long, help: "Print a JSON summary.")
    var json = false

    func validate() throws {
        guard hours >= 2 else { throw ValidationError("--hours must be at least 2") }
    }

    func run() async throws {
        let generator = SampleDataGenerator(hours: hours, seed: seed)
        let paths = try generator.write(to: out)
        if json {
            struct Summary: Encodable { var files: [String]; var hours: Int; var cities: Int; var seed: UInt64 }
            print(try JSONOutput.render(Summary(files: paths, hours: hours, cities: SampleDataGenerator.cityNames.count, seed: seed)))
        } else {
            for path in paths { print("wrote \(path)") }
            print("\(hours) hourly rows x \(SampleDataGenerator.cityNames.count) cities, seed \(seed)")
        }
    }
}
