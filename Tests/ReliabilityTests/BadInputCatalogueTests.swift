import ForecastStore
import Foundation
import Testing
import TestSupport

/// The bad-input catalogue of docs/reliability.md, through the built `forecast` against a
/// work directory holding a good store, good raw files and good models: each bad input
/// exits non-zero with a message naming the user's file (and, for the data-loss cases,
/// both time ranges), and leaves the store's rows, the raw files and the model files
/// byte-for-byte as they were.
@Suite("bad input never costs stored data")
struct BadInputCatalogueTests {
    /// A work directory after sample-data, fetch, ingest (San Francisco) and train (seasonal-naive).
    struct Setup {
        let scratch: Scratch
        var workdir: String { scratch.path }
        /// The good temperature and humidity CSVs (as fetch extracted them), line by line.
        let temperatureLines: [String]
        let humidityLines: [String]

        init(_ name: String, hours: Int = 800, train: Bool = true) throws {
            let scratch = try Scratch(name)
            self.scratch = scratch
            try ForecastCommand.prepareWorkdir(scratch.path, hours: hours, cities: ["San Francisco"])
            func lines(_ file: String) throws -> [String] {
                try String(contentsOfFile: scratch.file("data/\(file)"), encoding: .utf8).split(separator: "\n").map(String.init)
            }
            temperatureLines = try lines("temperature.csv")
            humidityLines = try lines("humidity.csv")
            if train {
                try ForecastCommand.check(try ForecastCommand.run(self.train(), in: scratch.path), "train")
            }
        }

        /// `forecast train` of seasonal-naive, with `extra` arguments.
        func train(_ extra: [String] = []) -> [String] {
            ["train", "--workdir", workdir, "--plugin-dir", BuildProducts.directory, "--plugin", "seasonal-naive"] + extra
        }

        /// Writes `text` to `<scratch>/inputs/name` and returns its path.
        func input(_ name: String, _ text: String) throws -> String {
            try input(name, Array(text.utf8))
        }

        func input(_ name: String, _ bytes: [UInt8]) throws -> String {
            let path = scratch.file("inputs/\(name)")
            try FileManager.default.createDirectory(atPath: scratch.file("inputs"), withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }

        /// Runs `forecast arguments...` and checks that it failed with a message holding
        /// every one of `expected`, and that nothing in the work directory changed.
        @discardableResult
        func expectRefused(_ arguments: [String], _ expected: [String], absent: [String] = [],
                           sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
            let before = try WorkdirSnapshot(workdir)
            let finished = try ForecastCommand.run(arguments, in: workdir)
            let message = finished.errors + finished.output
            let label = arguments.prefix(2).joined(separator: " ")
            #expect(finished.termination != .exited(0), "\(label) succeeded: \(message)", sourceLocation: sourceLocation)
            for text in expected {
                #expect(message.contains(text), "\(label): the message lacks '\(text)': \(message.prefix(2000))", sourceLocation: sourceLocation)
            }
            for text in absent {
                #expect(!message.contains(text), "\(label): the message contains '\(text)': \(message.prefix(2000))", sourceLocation: sourceLocation)
            }
            #expect(message.count < 4000, "\(label): a \(message.count)-character message", sourceLocation: sourceLocation)
            let after = try WorkdirSnapshot(workdir)
            #expect(after == before, "\(label) changed the work directory: \(after.differences(from: before))", sourceLocation: sourceLocation)
            return message
        }

        /// A CSV of the header and the data lines `rows` of `lines` (0 = the first data line).
        func csv(_ lines: [String], rows: Range<Int>) -> String {
            ([lines[0]] + lines[(rows.lowerBound + 1)..<(rows.upperBound + 1)]).joined(separator: "\n") + "\n"
        }
    }

    @Test("the three data-loss cases are refused with both time ranges and the user's path; the store, the raw files and the models stay byte-for-byte")
    func dataLossCasesAreRefused() throws {
        let setup = try Setup("loss")
        defer { setup.scratch.remove() }
        let workdir = setup.workdir
        #expect(try WorkdirSnapshot(workdir).rows == 799)  // the first hour has no San Francisco values

        // A temperature file with only its header.
        let header = try setup.input("header-only.csv", setup.temperatureLines[0] + "\n")
        try setup.expectRefused(["ingest", "--workdir", workdir, "--temperature-csv", header], [header, "no data rows"])
        try setup.expectRefused(["fetch", "--workdir", workdir, "--only", "temperature", "--temperature", header], [header, "no data rows"])

        // Two files whose time ranges do not overlap.
        let early = try setup.input("early.csv", setup.csv(setup.temperatureLines, rows: 0..<300))
        let late = try setup.input("late.csv", setup.csv(setup.humidityLines, rows: 500..<800))
        try setup.expectRefused(["ingest", "--workdir", workdir, "--temperature-csv", early, "--humidity-csv", late],
                                [early, "the store holds", "UTC", "--allow-partial-files"])
        // Into an empty store, the two files still share no hour: refused, and no store file appears.
        let fresh = setup.scratch.file("fresh.db")
        try setup.expectRefused(["ingest", "--workdir", workdir, "--database", "sqlite://" + fresh,
                                 "--temperature-csv", early, "--humidity-csv", late],
                                [early, late, "share no hour", "UTC"])
        #expect(!FileManager.default.fileExists(atPath: fresh))

        // A plain CSV cut at a line end (a truncated download).
        let cut = try setup.input("cut.csv", setup.csv(setup.temperatureLines, rows: 0..<400))
        let message = try setup.expectRefused(["ingest", "--workdir", workdir, "--temperature-csv", cut],
                                              [cut, "covers San Francisco's temperature only", "but the store holds", "--allow-partial-files"])
        #expect(message.components(separatedBy: " UTC").count - 1 >= 2, "both ranges: \(message)")
        try setup.expectRefused(["fetch", "--workdir", workdir, "--only", "temperature", "--temperature", cut],
                                ["refusing to replace", cut, workdir + "/data/temperature.csv", "UTC", "--allow-partial-files"])
        // The whole pipeline refuses it at its first step, before ingest or train.
        try setup.expectRefused(["pipeline", "--workdir", workdir, "--plugin-dir", BuildProducts.directory, "--plugin", "seasonal-naive",
                                 "--temperature", cut, "--humidity", workdir + "/sample/humidity.csv.zip"],
                                ["refusing to replace", cut])
    }

    @Test("pipeline: a file fetch accepts but ingest refuses is never installed; the raw files stay as they were")
    func pipelineInstallsOnlyWhatIngestLoaded() throws {
        let setup = try Setup("pipeline")
        defer { setup.scratch.remove() }
        let workdir = setup.workdir
        // The store gets 1,000 hours (from another work directory's files), the raw files keep 800.
        let longer = setup.scratch.file("longer")
        try FileManager.default.createDirectory(atPath: longer, withIntermediateDirectories: true)
        try ForecastCommand.prepareWorkdir(longer, hours: 1000, cities: ["San Francisco"])
        try ForecastCommand.check(try ForecastCommand.run(["ingest", "--workdir", workdir, "--temperature-csv", longer + "/data/temperature.csv",
                                                   "--humidity-csv", longer + "/data/humidity.csv"], in: workdir), "ingest")
        // A new temperature file as long as the raw one (fetch accepts it), shorter than the store (ingest refuses it).
        // (other bytes, same data: a trailing space, which the reader trims).
        var lines = setup.temperatureLines
        lines[1] += " "
        let changed = try setup.input("changed.csv", lines.joined(separator: "\n") + "\n")
        #expect(FileManager.default.contents(atPath: changed) != FileManager.default.contents(atPath: workdir + "/data/temperature.csv"))
        try setup.expectRefused(["pipeline", "--workdir", workdir, "--plugin-dir", BuildProducts.directory, "--plugin", "seasonal-naive",
                                 "--temperature", changed, "--humidity", workdir + "/sample/humidity.csv.zip"],
                                ["refusing to load", changed, "but the store holds"])
    }

    @Test("a load with --allow-partial-files keeps every stored value the files lack (no NULL over a value)")
    func partialLoadKeepsStoredValues() throws {
        let setup = try Setup("partial", train: false)
        defer { setup.scratch.remove() }
        let workdir = setup.workdir
        let before = try SQLiteStore(path: workdir + "/forecast.db", readOnly: true).allObservations()
        // The first 400 hours of temperature and the first 10 of humidity, loaded on purpose:
        // every stored value the files lack stays, and the ones they have are the same.
        let cut = try setup.input("cut.csv", setup.csv(setup.temperatureLines, rows: 0..<400))
        let few = try setup.input("few.csv", setup.csv(setup.humidityLines, rows: 0..<10))
        let finished = try ForecastCommand.run(["ingest", "--workdir", workdir, "--temperature-csv", cut, "--humidity-csv", few,
                                            "--allow-partial-files"], in: workdir)
        #expect(finished.termination == .exited(0), "\(finished.errors)")
        let after = try SQLiteStore(path: workdir + "/forecast.db", readOnly: true).allObservations()
        #expect(after == before)
    }

    @Test("sources: a directory, a zip with two CSVs, a 10 MB cell, a truncated, a traversing zip: refused naming the user's path, nothing changed")
    func badSourcesAreRefused() throws {
        let setup = try Setup("sources")
        defer { setup.scratch.remove() }
        let workdir = setup.workdir
        let goodCSV = Array((setup.temperatureLines.joined(separator: "\n") + "\n").utf8)

        // A directory given as a source: refused at once, nothing copied.
        let directory = setup.scratch.file("inputs/a-directory")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = try setup.input("a-directory/temperature.csv", goodCSV)
        try setup.expectRefused(["fetch", "--workdir", workdir, "--only", "temperature", "--temperature", directory], [directory, "is a directory"])

        // A zip with two CSV entries: refused unless the entry is named.
        let twoEntries = try setup.input("two.zip", StoredZip.archive([("temperature.csv", goodCSV), ("other.csv", goodCSV)]))
        try setup.expectRefused(["fetch", "--workdir", workdir, "--only", "temperature", "--temperature", twoEntries],
                                [twoEntries, "holds 2 CSV entries", "temperature.csv", "other.csv", "--temperature-entry"])
        try setup.expectRefused(["fetch", "--workdir", workdir, "--only", "temperature", "--temperature", twoEntries, "--temperature-entry", "missing.csv"],
                                [twoEntries, "no CSV entry 'missing.csv'"])

        // One bad cell of 10 MB: the message quotes a short prefix.
        var lines = setup.temperatureLines
        var fields = lines[5].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        // In San Francisco's column: ingest parses only the selected cities (fetch parses them all).
        let column = setup.temperatureLines[0].split(separator: ",").firstIndex(of: "San Francisco")!
        fields[column] = String(repeating: "x", count: 10_000_000)
        lines[5] = fields.joined(separator: ",")
        let huge = try setup.input("huge-cell.csv", lines.joined(separator: "\n") + "\n")
        try setup.expectRefused(["ingest", "--workdir", workdir, "--temperature-csv", huge], [huge, "line 6", "is not a number", "bytes in all"])
        try setup.expectRefused(["fetch", "--workdir", workdir, "--only", "temperature", "--temperature", huge], [huge, "line 6", "bytes in all"])

        // A truncated zip and one whose entry climbs out of the directory: the user's path, never a download's part file.
        let zip = try [UInt8](Data(contentsOf: URL(fileURLWithPath: workdir + "/sample/temperature.csv.zip")))
        let truncated = try setup.input("truncated.zip", Array(zip.prefix(zip.count / 2)))
        try setup.expectRefused(["fetch", "--workdir", workdir, "--only", "temperature", "--temperature", truncated], [truncated], absent: [".part", ".download"])
        let slip = try setup.input("slip.zip", StoredZip.archive([("../temperature.csv", goodCSV)]))
        try setup.expectRefused(["fetch", "--workdir", workdir, "--only", "temperature", "--temperature", slip], [slip, "'..' path"], absent: [".part", ".download"])

        // Named, the entry is used (and this changes the raw files, as it should).
        let accepted = try ForecastCommand.run(["fetch", "--workdir", workdir, "--only", "temperature", "--temperature", twoEntries, "--temperature-entry", "temperature.csv"], in: workdir)
        #expect(accepted.termination == .exited(0), "\(accepted.errors)")
    }

    @Test("forecast train refuses to replace a model by one trained on data that ends earlier, unless --allow-older-data")
    func olderDataModelIsNotPublished() throws {
        let setup = try Setup("older")
        defer { setup.scratch.remove() }
        let workdir = setup.workdir
        // A second store holding only the first 500 hours.
        let short = "sqlite://" + setup.scratch.file("short.db")
        let temperature = try setup.input("t.csv", setup.csv(setup.temperatureLines, rows: 0..<500))
        let humidity = try setup.input("h.csv", setup.csv(setup.humidityLines, rows: 0..<500))
        try ForecastCommand.check(try ForecastCommand.run(["ingest", "--workdir", workdir, "--database", short,
                                                   "--temperature-csv", temperature, "--humidity-csv", humidity], in: workdir), "ingest")
        try setup.expectRefused(setup.train(["--database", short]),
                                ["FAILED  seasonal-naive San Francisco temperature", "not published", "earlier than the data of the model it would replace",
                                 "UTC", "--allow-older-data"])
        let before = try WorkdirSnapshot(workdir).files(in: "models")
        let forced = try ForecastCommand.run(setup.train(["--database", short, "--allow-older-data"]), in: workdir)
        #expect(forced.termination == .exited(0), "\(forced.errors)\(forced.output)")
        let after = try WorkdirSnapshot(workdir).files(in: "models")
        #expect(after.count == before.count && after.allSatisfy { before[$0.key] != $0.value }, "every model was replaced")
    }

    @Test("a store or data directory that cannot be written is named as a read-only directory")
    func readOnlyDirectoryIsNamed() throws {
        guard SmallDisk.isAvailable else {
            print("skipped: mounting a tmpfs needs root")
            return
        }
        let disk = try SmallDisk(kilobytes: 16_384)
        defer { disk.unmount() }
        let workdir = disk.path + "/work"
        try FileManager.default.createDirectory(atPath: workdir, withIntermediateDirectories: true)
        try ForecastCommand.prepareWorkdir(workdir, hours: 300, cities: ["San Francisco"])
        let before = try WorkdirSnapshot(workdir)
        #expect(SmallDisk.command("/bin/mount", ["-o", "remount,ro", disk.path]) == 0)
        defer { _ = SmallDisk.command("/bin/mount", ["-o", "remount,rw", disk.path]) }
        let ingest = try ForecastCommand.run(["ingest", "--workdir", workdir], in: workdir)
        #expect(ingest.termination != .exited(0))
        #expect(ingest.errors.contains("read-only") && ingest.errors.contains(workdir), "\(ingest.errors)")
        #expect(!ingest.errors.contains("readonly database"), "\(ingest.errors)")
        let fresh = try ForecastCommand.run(["ingest", "--workdir", workdir, "--database", "sqlite://\(workdir)/new.db"], in: workdir)
        #expect(fresh.errors.contains("cannot create the SQLite database \(workdir)/new.db: the directory \(workdir) is read-only"), "\(fresh.errors)")
        let fetch = try ForecastCommand.run(["fetch", "--workdir", workdir, "--only", "temperature", "--temperature", workdir + "/sample/temperature.csv.zip",
                                         "--humidity", workdir + "/sample/humidity.csv.zip"], in: workdir)
        #expect(fetch.termination != .exited(0))
        #expect(fetch.errors.contains("data directory \(workdir)/data: it is read-only"), "\(fetch.errors)")
        #expect(try WorkdirSnapshot(workdir) == before)
    }
}
