import ForecastPipeline
import Foundation
import TestSupport
import Testing
import ZIPFoundation

@Suite("Unzip")
struct UnzipTests {
    static func archive(_ path: String, entries: [(String, String)]) throws {
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        for (name, text) in entries {
            let data = Data(text.utf8)
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
    }

    @Test("extracts the CSV entry by rename")
    func extracts() throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let csv = WideCSV.make(cities: ["A"], hours: 5, value: WideCSV.temperature)
        try Self.archive(directory.file("t.zip"), entries: [("__MACOSX/._temperature.csv", "junk"), ("temperature.csv", csv)])
        #expect(Unzipper.isZip(path: directory.file("t.zip")))
        let (entry, bytes) = try Unzipper().extractCSV(from: directory.file("t.zip"), to: directory.file("out/temperature.csv"), preferredName: "temperature")
        #expect(entry == "temperature.csv" && bytes == UInt64(csv.utf8.count))
        #expect(try String(contentsOfFile: directory.file("out/temperature.csv"), encoding: .utf8) == csv)
    }

    @Test("an entry with a '..' or absolute path is refused and nothing is written", arguments: ["../evil.csv", "data/../../evil.csv", "/etc/evil.csv"])
    func zipSlip(_ name: String) throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        try Self.archive(directory.file("slip.zip"), entries: [("temperature.csv", "datetime,A\n"), (name, "datetime,A\n")])
        let error = #expect(throws: PipelineError.self) {
            try Unzipper().extractCSV(from: directory.file("slip.zip"), to: directory.file("out/temperature.csv"), preferredName: "temperature")
        }
        #expect(error?.message.contains("absolute or '..' path") == true)
        #expect(!FileManager.default.fileExists(atPath: directory.file("out/temperature.csv")))
        #expect(!FileManager.default.fileExists(atPath: directory.file("evil.csv")))
    }

    @Test("a corrupt or truncated archive is a clear error and the previous CSV stays")
    func corrupt() throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let previous = directory.write("temperature.csv", "previous contents")
        let csv = WideCSV.make(cities: ["A", "B"], hours: 400, value: WideCSV.temperature)
        try Self.archive(directory.file("good.zip"), entries: [("temperature.csv", csv)])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: directory.file("good.zip")))
        // Truncated: the central directory is gone.
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: directory.file("half.zip")))
        // Flipped bytes inside the compressed data: CRC or inflate fails.
        var flipped = bytes
        for index in stride(from: 60, to: min(400, flipped.count / 2), by: 7) { flipped[index] ^= 0xFF }
        try flipped.write(to: URL(fileURLWithPath: directory.file("flipped.zip")))
        for name in ["half.zip", "flipped.zip"] {
            let error = #expect(throws: PipelineError.self) {
                try Unzipper().extractCSV(from: directory.file(name), to: previous, preferredName: "temperature")
            }
            #expect(error?.message.contains("corrupt") == true, "\(error?.message ?? "")")
            #expect(try String(contentsOfFile: previous, encoding: .utf8) == "previous contents")
        }
    }

    @Test("the uncompressed size is capped, also while inflating")
    func sizeCap() throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        try Self.archive(directory.file("big.zip"), entries: [("temperature.csv", String(repeating: "0", count: 100_000))])
        let error = #expect(throws: PipelineError.self) {
            try Unzipper(maxUncompressedBytes: 10_000).extractCSV(from: directory.file("big.zip"), to: directory.file("t.csv"), preferredName: "temperature")
        }
        #expect(error?.message.contains("limit") == true)
        #expect(!FileManager.default.fileExists(atPath: directory.file("t.csv")))
    }
}
