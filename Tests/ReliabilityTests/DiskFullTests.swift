import ForecastStore
import ForecastVocabulary
import Foundation
import ModelFiles
import PluginBinding
import TestSupport
import Testing

/// The disk fills up while a model file or a store load is being written: the write
/// fails with a clear error and what was there before is still there, whole.
@Suite("disk full", .serialized, .enabled(if: SmallDisk.isAvailable, "needs root to mount a small tmpfs (skipped)"))
struct DiskFullTests {
    static let start: Int64 = 1_500_000_000 / 3600 * 3600

    /// A real seasonal-naive model file for San Francisco trained on `hours` hours ending at `last`.
    static func modelFile(hours: Int, last: Int64) throws -> ModelFile {
        let plugin = try BuildProducts.plugin("SeasonalNaive")
        let values = (0..<hours).map { 285 + 5 * sin(Double($0) * .pi / 12) }
        let series = TimeSeries(values: values, startTime: last - Int64(hours - 1) * 3600)
        let output = try plugin.train(series)
        let manifest = ModelManifest(
            plugin: plugin.name, pluginVersion: plugin.version, abiVersion: plugin.abiVersion, city: "San Francisco",
            variable: "temperature", firstTime: series.startTime, lastTime: series.lastTime, stepSeconds: 3600,
            count: series.count, trainedAt: last, trainingSeconds: 0, options: "{}", summary: output.summaryJSON,
            blobSize: output.blob.count, blobSHA256: ModelFile.sha256(output.blob))
        return ModelFile(manifest: manifest, blob: output.blob)
    }

    @Test("publishing a model file on a full disk fails and leaves the old file byte for byte")
    func modelFileOnFullDisk() throws {
        let disk = try SmallDisk(kilobytes: 64)
        defer { disk.unmount() }
        let repository = ModelRepository(root: disk.path + "/models")
        let old = try Self.modelFile(hours: 48, last: Self.start)
        let path = try repository.publish(old)
        let before = try #require(FileManager.default.contents(atPath: path))

        let filler = disk.fill()
        let new = try Self.modelFile(hours: 72, last: Self.start + 24 * 3600)
        #expect(throws: AtomicFileError.self) { try repository.publish(new) }
        #expect(FileManager.default.contents(atPath: path) == before)
        #expect(try repository.read(plugin: "seasonal-naive", city: "San Francisco", variable: "temperature") == old)
        let tree = ModelTree(root: repository.root)
        #expect(tree.temporaries.isEmpty, "a failed publish left \(tree.temporaries)")

        // Space comes back: the same publish now succeeds and replaces the file whole.
        try FileManager.default.removeItem(atPath: filler)
        try repository.publish(new)
        #expect(try repository.read(plugin: "seasonal-naive", city: "San Francisco", variable: "temperature") == new)
    }

    @Test("a store load that runs out of disk is rolled back: the store holds exactly the rows before it")
    func storeLoadOnFullDisk() throws {
        let disk = try SmallDisk(kilobytes: 256)
        defer { disk.unmount() }
        let path = disk.path + "/forecast.db"
        let first = (0..<48).map { Observation(city: "Portland", time: Self.start + Int64($0) * 3600, temperature: 280 + Double($0 % 7), humidity: 60) }
        do {
            let store = try SQLiteStore(path: path)
            try store.migrate()
            try store.upsert(first)
        }
        let before = try SQLiteStore(path: path).observations(city: "Portland", from: nil, to: nil)
        #expect(before == first)

        // Far more rows than the disk holds, overlapping the existing ones (an upsert).
        let big = (0..<40_000).map { Observation(city: $0 % 2 == 0 ? "Portland" : "Seattle", time: Self.start + Int64($0) * 3600,
                                                 temperature: 290, humidity: 50) }
        do {
            let store = try SQLiteStore(path: path)
            #expect(throws: (any Error).self) { try store.upsert(big) }
            #expect(try store.observations(city: "Portland", from: nil, to: nil) == before)
            #expect(try store.cities() == ["Portland"])
        }
        // A fresh connection (no cached pages) sees the same rows.
        let reopened = try SQLiteStore(path: path)
        #expect(try reopened.observations(city: "Portland", from: nil, to: nil) == before)
        #expect(try reopened.cities() == ["Portland"])
    }
}
