import ForecastStore
import ForecastVocabulary
import Foundation
import ModelFiles

/// Model files shared between hosts through PostgreSQL (``PostgresModelStore``): what
/// `forecast train` publishes there, and how a host brings its model directory up to date
/// from it before reloading.
///
/// A host keeps serving from its own `<workdir>/models`, which becomes a copy of the
/// store's newest models: every loading rule of the file repository (checksums, the model
/// check, a reload refused when it would break a serving city) holds unchanged.
public enum SharedModels {
    /// What ``sync(from:into:)`` did.
    public struct Sync: Sendable, Equatable {
        /// The newest generation among the store's models (0 when it has none).
        public var generation: Int64 = 0
        /// The files written, `plugin/city/variable`.
        public var written: [String] = []
        /// The models the store holds that were already on disk, byte for byte.
        public var unchanged = 0
        /// The models refused (damaged, or not what their row says), with why; the files on disk stay.
        public var refused: [String] = []
        /// Each file written and what it held before (nil: there was none), to put back
        /// when the reload that should take them up is refused.
        public var replaced: [Replaced] = []

        /// A file ``sync(from:into:)`` wrote over.
        public struct Replaced: Sendable, Equatable {
            /// The file.
            public var path: String
            /// Its contents before, nil when it did not exist.
            public var previous: Data?
        }
    }

    /// Puts back the files `sync` wrote over (each atomically; a file that did not exist is removed).
    public static func restore(_ sync: Sync) throws {
        for replaced in sync.replaced {
            if let previous = replaced.previous {
                try AtomicFile.write(previous, to: replaced.path)
            } else {
                try? FileManager.default.removeItem(atPath: replaced.path)
            }
        }
    }

    /// Publishes, as one generation, the model files that `results` published into
    /// `repository` (the jobs that succeeded); nil when none did.
    public static func publish(_ results: [Trainer.JobResult], repository: ModelRepository,
                               store: PostgresModelStore) throws -> Int64? {
        try publish(results.filter(\.ok).map { ($0.plugin, $0.city, $0.variable) }, repository: repository, store: store)
    }

    /// Publishes, as one generation, the model files of `repository` for each (plugin, city,
    /// variable) of `models`, each read and verified first; nil when `models` is empty.
    public static func publish(_ models: [(plugin: String, city: String, variable: String)], repository: ModelRepository,
                               store: PostgresModelStore) throws -> Int64? {
        var rows: [PostgresModelStore.Model] = []
        for (plugin, city, variable) in models {
            let file = try repository.read(plugin: plugin, city: city, variable: variable)
            rows.append(PostgresModelStore.Model(plugin: file.manifest.plugin, city: file.manifest.city,
                                                   variable: file.manifest.variable, sha256: file.manifest.blobSHA256,
                                                   file: try file.encoded()))
        }
        guard !rows.isEmpty else { return nil }
        return try store.publish(rows)
    }

    /// Writes into `repository` every newest model of `store` that differs from the file on
    /// disk, each atomically, after checking it (checksum, and that it holds the plugin,
    /// city and variable its row names).
    public static func sync(from store: PostgresModelStore, into repository: ModelRepository) throws -> Sync {
        var sync = Sync()
        for model in try store.newest() {
            sync.generation = max(sync.generation, model.generation)
            let name = "\(model.plugin)/\(model.city)/\(model.variable)"
            let path = repository.path(plugin: model.plugin, city: model.city, variable: model.variable)
            do {
                let file = try ModelFile.decode(model.file, path: "generation \(model.generation) \(name)")
                guard file.manifest.plugin == model.plugin, file.manifest.variable == model.variable,
                      file.manifest.city == model.city else {
                    sync.refused.append("\(name) (generation \(model.generation)): the file holds \(file.manifest.plugin) \(file.manifest.city) \(file.manifest.variable)")
                    continue
                }
            } catch {
                sync.refused.append("\(name) (generation \(model.generation)): \(error)")
                continue
            }
            let previous = FileManager.default.contents(atPath: path)
            if previous == model.file {
                sync.unchanged += 1
                continue
            }
            try AtomicFile.write(model.file, to: path)
            sync.written.append(name)
            sync.replaced.append(Sync.Replaced(path: path, previous: previous))
        }
        return sync
    }
}
