import ForecastStore
import Foundation
import ModelFiles

/// How long old model generations stay: the values of ``RetentionOptions``, and pruning by them.
struct ModelRetention: Sendable {
    /// Days an old generation stays after its publish; 0 keeps every generation.
    var days: Double
    /// Models kept per plugin, city and variable whatever their age.
    var keepPerModel: Int

    /// The start of the retention window: what was published before it may go; nil when
    /// every generation is kept.
    func cutoff(now: Date = Date()) -> Date? {
        days > 0 ? now.addingTimeInterval(-days * 86_400) : nil
    }

    /// Prunes `store` and sweeps `repository`'s abandoned temporary files; one line per
    /// thing done, for standard error (none when nothing was to do).
    func prune(store: PostgresModelStore?, repository: ModelRepository, dryRun: Bool = false) throws -> [String] {
        guard let cutoff = cutoff() else { return [] }
        var lines: [String] = []
        if let store {
            let pruning = try store.prune(publishedBefore: Int64(cutoff.timeIntervalSince1970), keep: keepPerModel, dryRun: dryRun)
            if pruning.models > 0 || !pruning.generations.isEmpty {
                let generations = pruning.generations.isEmpty ? "no generation"
                    : "generation(s) \(pruning.generations.map(String.init).joined(separator: ", "))"
                lines.append("\(dryRun ? "would prune" : "pruned") \(pruning.models) model(s) (\(pruning.bytes) bytes) and \(generations) "
                             + "older than \(Self.days(days)) from \(store.displayURL), keeping the \(keepPerModel) newest per model")
            }
        }
        if !dryRun {
            for path in repository.removeAbandonedTemporaries(olderThan: cutoff) {
                lines.append("removed an abandoned temporary file: \(path)")
            }
        }
        return lines
    }

    static func days(_ days: Double) -> String {
        days == days.rounded() ? "\(Int(days)) day(s)" : "\(days) days"
    }
}
