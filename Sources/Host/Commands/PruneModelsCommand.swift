import ArgumentParser
import ForecastStore
import Foundation

/// `forecast prune-models`: remove old model generations now (train does it after each publish).
struct PruneModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune-models",
        abstract: "Remove model generations older than the retention window from a PostgreSQL store.",
        discussion: """
            `forecast train` does this after every publish into a PostgreSQL store; run it yourself to \
            apply another window, or with --dry-run to see what would go.

            A model goes when its generation was published more than --retention-days ago and it is \
            not among the --keep-per-model newest of its plugin, city and variable, so the model every \
            host serves (and, by default, the one before it) always stays, however old. A generation \
            goes when none of its models is left, never the newest one. One transaction: a host reading \
            the store sees every old model or none gone, and a publish at the same time is unaffected.

            The file repository (<workdir>/models) keeps one file per plugin, city and variable, \
            replaced by rename, so it has no old generations; this sweeps the temporary files that \
            killed writers left there (their process gone, or older than the window). A SQLite store \
            holds no models (one machine shares its model directory): only the sweep runs.

            Example: forecast prune-models --database postgresql://forecast@db/forecast --retention-days 7 --dry-run
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var retention: RetentionOptions

    @Flag(name: .customLong("dry-run"), help: "Say what would be removed from the store, and remove nothing.")
    var dryRun = false

    func validate() throws {
        guard retention.retentionDays > 0 else {
            throw ValidationError("--retention-days 0 keeps every generation: nothing to prune (give a number of days > 0)")
        }
    }

    func run() async throws {
        let url = global.resolvedDatabaseURL
        var shared: PostgresModelStore?
        if url.hasPrefix("postgres") {
            _ = try global.openStore()  // migrated, so the models table exists
            shared = try PostgresModelStore(url: url)
        }
        let lines = try retention.retention.prune(store: shared, repository: global.modelRepository, dryRun: dryRun)
        for line in lines { print(line) }
        if lines.isEmpty {
            print(shared == nil
                  ? "nothing to prune: \(url) holds no shared models, and \(global.modelRepository.root) no abandoned temporary file"
                  : "nothing to prune: no model older than \(ModelRetention.days(retention.retentionDays)) beyond the \(retention.keepPerModel) newest per model")
        }
    }
}
