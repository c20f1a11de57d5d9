import ArgumentParser
import ForecastStore
import Foundation

/// How long old model generations stay (`train`, `pipeline` and `prune-models`).
struct RetentionOptions: ParsableArguments {
    @Option(name: .customLong("retention-days"), help: ArgumentHelp(
        "Days an old model generation stays in a PostgreSQL store after it was published; 0 keeps every generation.",
        valueName: "days"))
    var retentionDays = 30.0

    @Option(name: .customLong("keep-per-model"), help: ArgumentHelp(
        "Models kept per plugin, city and variable whatever their age: the one the hosts serve and those before it.",
        valueName: "n"))
    var keepPerModel = 2

    func validate() throws {
        guard retentionDays >= 0, retentionDays.isFinite else {
            throw ValidationError("--retention-days must be a number of days >= 0 (0: keep every generation), not \(retentionDays)")
        }
        guard keepPerModel >= 1 else {
            throw ValidationError("--keep-per-model must be at least 1 (the model the hosts serve), not \(keepPerModel)")
        }
    }

    /// The rule the options give.
    var retention: ModelRetention { ModelRetention(days: retentionDays, keepPerModel: keepPerModel) }
}
