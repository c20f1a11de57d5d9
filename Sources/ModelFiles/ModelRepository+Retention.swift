#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ForecastVocabulary
import Foundation

extension ModelRepository {
    /// Removes the temporary files that writers killed mid-write left anywhere under
    /// `root` (`.<variable>.model.tmp-<pid>-<random>`, see ``AtomicFile``): those whose writer
    /// process is gone, and those last written before `cutoff` whatever their pid says (the
    /// pid may belong to another process by now; no write takes that long). The paths
    /// removed, sorted.
    ///
    /// ``publish(_:)`` already sweeps beside the model it writes; this reaches the models no
    /// training writes any more. A model file itself is never removed: the repository keeps
    /// one file per plugin, city and variable, replaced by rename, so it holds no old
    /// generations (those live in a PostgreSQL store, ``ForecastStore``'s
    /// `PostgresModelStore.prune`).
    @discardableResult
    public func removeAbandonedTemporaries(olderThan cutoff: Date) -> [String] {
        var removed: [String] = []
        let manager = FileManager.default
        for plugin in (try? manager.contentsOfDirectory(atPath: root)) ?? [] {
            for slug in (try? manager.contentsOfDirectory(atPath: "\(root)/\(plugin)")) ?? [] {
                let directory = "\(root)/\(plugin)/\(slug)"
                for entry in (try? manager.contentsOfDirectory(atPath: directory)) ?? [] {
                    guard let pid = Self.writerPID(ofTemporary: entry) else { continue }
                    let path = "\(directory)/\(entry)"
                    let writerGone = kill(pid, 0) != 0 && errno == ESRCH
                    let modified = (try? manager.attributesOfItem(atPath: path))?[.modificationDate] as? Date
                    if writerGone || (modified.map { $0 < cutoff } ?? false), unlink(path) == 0 {
                        removed.append(path)
                    }
                }
            }
        }
        return removed.sorted()
    }

    /// The writer's pid of a temporary model file's name (`.temperature.model.tmp-42-7`), nil
    /// for any other name.
    static func writerPID(ofTemporary name: String) -> Int32? {
        guard name.hasPrefix(".") else { return nil }
        for variable in Variable.allCases {
            let prefix = ".\(variable.name).model.tmp-"
            if name.hasPrefix(prefix) {
                return Int32(name.dropFirst(prefix.count).prefix { $0 != "-" })
            }
        }
        return nil
    }
}
