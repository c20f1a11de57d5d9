#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ForecastVocabulary
import Foundation

/// The directory of published model files: `<root>/<plugin>/<city-slug>/<variable>.model`.
///
/// Publishing writes a temporary file, flushes it to disk and renames it over the old
/// one, so a reader sees the old model or the new one, never half of either, and a
/// failed or killed write leaves the previous model in place.
public struct ModelRepository: Sendable {
    /// The root directory, e.g. `<workdir>/models`.
    public let root: String

    /// A repository rooted at `root`.
    public init(root: String) {
        self.root = root
    }

    /// The path of the model of `plugin` for `city` and `variable`.
    public func path(plugin: String, city: String, variable: String) -> String {
        "\(root)/\(plugin)/\(CityName.slug(city))/\(variable).model"
    }

    /// Writes `file` atomically (temp file, fsync, rename, fsync of the directory).
    ///
    /// Also removes temporary files that writers killed mid-write left beside the target
    /// (their process no longer exists), so SIGKILLed trainings do not accumulate litter.
    @discardableResult
    public func publish(_ file: ModelFile) throws -> String {
        let target = path(plugin: file.manifest.plugin, city: file.manifest.city, variable: file.manifest.variable)
        AtomicFile.removeAbandonedTemporaries(besides: target)
        try AtomicFile.write(try file.encoded(), to: target)
        return target
    }

    /// Reads and verifies the model of `plugin` for `city` and `variable`.
    public func read(plugin: String, city: String, variable: String) throws(ModelFileError) -> ModelFile {
        try Self.read(path: path(plugin: plugin, city: city, variable: variable), plugin: plugin, variable: variable,
                      missing: "no model file (train one with `forecast train --plugin \(plugin) --city '\(city)'`)")
    }

    /// Reads and verifies the model file at `path`, which must hold `plugin`'s `variable` model.
    ///
    /// `missing` is the message when there is no file. Throws when the file is damaged
    /// (``ModelFile/decode(_:path:)``) or holds another plugin's or variable's model.
    public static func read(path: String, plugin: String, variable: String, missing: String) throws(ModelFileError) -> ModelFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelFileError(path: path, message: missing)
        }
        let model = try ModelFile.decode(data, path: path)
        guard model.manifest.plugin == plugin, model.manifest.variable == variable else {
            throw ModelFileError(path: path, message: "the file holds a \(model.manifest.plugin) \(model.manifest.variable) model, not \(plugin) \(variable)")
        }
        return model
    }

    /// The cities with a model file of `plugin` (for any ``Variable``) whose manifest reads, sorted.
    ///
    /// Reads manifests only: checking blobs is for whoever loads them (``read(plugin:city:variable:)``),
    /// so a listing followed by reads does not hash every blob twice.
    public func cities(plugin: String) -> [String] {
        let directory = "\(root)/\(plugin)"
        guard let slugs = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var cities: Set<String> = []
        for slug in slugs {
            for variable in Variable.allCases {
                let file = "\(directory)/\(slug)/\(variable.name).model"
                if let data = FileManager.default.contents(atPath: file),
                   let manifest = try? ModelFile.decodeManifest(data, path: file) {
                    cities.insert(manifest.city)
                }
            }
        }
        return cities.sorted()
    }
}
