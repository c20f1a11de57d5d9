import ForecastVocabulary
import Foundation
import ModelFiles
import Testing

@Suite("model files")
struct ModelFileTests {
    private func manifest(blob: [UInt8]) -> ModelManifest {
        ModelManifest(plugin: "seasonal-naive", pluginVersion: "1.0.0", abiVersion: 0x10000, city: "San Francisco",
                      variable: "temperature", firstTime: 0, lastTime: 3600 * 99, stepSeconds: 3600, count: 100,
                      trainedAt: 1_700_000_000, trainingSeconds: 0.01, options: "{}", summary: #"{"k":1}"#,
                      blobSize: blob.count, blobSHA256: ModelFile.sha256(blob))
    }

    @Test("publish then read returns the same file; the slug names the city")
    func roundTrip() throws {
        let root = NSTemporaryDirectory() + "models-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let repository = ModelRepository(root: root)
        let blob: [UInt8] = Array(0..<200).map { UInt8($0) }
        let path = try repository.publish(ModelFile(manifest: manifest(blob: blob), blob: blob))
        #expect(path.hasSuffix("/seasonal-naive/san-francisco/temperature.model"))
        let read = try repository.read(plugin: "seasonal-naive", city: "San Francisco", variable: "temperature")
        #expect(read.blob == blob)
        #expect(read.manifest == manifest(blob: blob))
        #expect(repository.cities(plugin: "seasonal-naive") == ["San Francisco"])
        // No temporary file is left behind.
        let entries = try FileManager.default.contentsOfDirectory(atPath: root + "/seasonal-naive/san-francisco")
        #expect(entries == ["temperature.model"])
    }

    @Test("the repository lists every city with a model of any variable, one with a wind-speed model alone included")
    func citiesOfEveryVariable() throws {
        let root = NSTemporaryDirectory() + "models-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let repository = ModelRepository(root: root)
        let blob: [UInt8] = [1, 2, 3]
        for (city, variable) in [("San Francisco", Variable.temperature), ("Portland", .windSpeed), ("Chicago", .pressure)] {
            var manifest = manifest(blob: blob)
            manifest.city = city
            manifest.variable = variable.name
            try repository.publish(ModelFile(manifest: manifest, blob: blob))
        }
        #expect(repository.cities(plugin: "seasonal-naive") == ["Chicago", "Portland", "San Francisco"])
    }

    @Test("publishing removes temporary files left by killed writers, not those of live ones")
    func abandonedTemporaries() throws {
        let root = NSTemporaryDirectory() + "models-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let repository = ModelRepository(root: root)
        let blob: [UInt8] = [1, 2, 3]
        let target = try repository.publish(ModelFile(manifest: manifest(blob: blob), blob: blob))
        let directory = (target as NSString).deletingLastPathComponent
        // A pid above the kernel's pid_max cannot be running; our own pid is.
        let dead = "\(directory)/.temperature.model.tmp-2147483646-17"
        let live = "\(directory)/.temperature.model.tmp-\(getpid())-18"
        for path in [dead, live] { _ = FileManager.default.createFile(atPath: path, contents: Data("half".utf8)) }
        try repository.publish(ModelFile(manifest: manifest(blob: blob), blob: blob))
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: live))
    }

    @Test("a truncated or altered file is refused with the reason")
    func corruption() throws {
        let blob: [UInt8] = Array(repeating: 7, count: 64)
        let data = try ModelFile(manifest: manifest(blob: blob), blob: blob).encoded()
        #expect(throws: ModelFileError.self) { _ = try ModelFile.decode(data.dropLast(1), path: "x") }
        var altered = data
        altered[altered.count - 1] = 8
        #expect {
            _ = try ModelFile.decode(altered, path: "x")
        } throws: { "\($0)".contains("checksum mismatch") }
        #expect {
            _ = try ModelFile.decode(Data("hello".utf8), path: "x")
        } throws: { "\($0)".contains("not a model file") }
    }

    @Test("slugs are stable and file-name safe")
    func slugs() {
        #expect(CityName.slug("San Francisco") == "san-francisco")
        #expect(CityName.slug("Tel Aviv District") == "tel-aviv-district")
        #expect(CityName.slug("../../etc") == "etc")
    }
}
