import Foundation
import ModelFiles
import PluginBinding

/// What a newly trained model must pass before `forecast train` publishes it over the
/// previous one; a model that fails is not published and its job fails with the reason.
///
/// 1. It is not worse informed than the model it replaces: its training data must not
///    end earlier than the published model's (after an ingest of a truncated file, the
///    store may end years early; a model trained on that would replace a good one
///    silently). ``allowOlderData`` lets it through.
/// 2. It works through its own plugin: it loads, and forecasts every horizon from 1 to
///    168 hours at the levels 0.8 and 0.95 with every value finite, lower <= mean <= upper
///    (checked by ``PluginModel/forecast(horizon:level:)``) and every mean within the
///    variable's plausible range (``Variable/plausibleForecastRange``). Where the check
///    runs is the ``checker``'s choice: in a child process for `forecast train`, so a
///    plugin that crashes in load or forecast fails only its own job.
public struct PublishGate: Sendable {
    /// Where the load-and-forecast check runs.
    public var checker: any ModelChecker
    /// Publish even when the new model's data ends earlier than the published model's.
    public var allowOlderData: Bool

    /// The flag that sets ``allowOlderData``, for messages.
    public static let allowOlderDataFlag = "--allow-older-data"

    /// Creates a gate.
    public init(checker: any ModelChecker = InProcessModelCheck(), allowOlderData: Bool = false) {
        self.checker = checker
        self.allowOlderData = allowOlderData
    }

    /// Why a model trained on data ending at `lastTime` must not replace the model file at
    /// `path`, or nil when it may (no file, an unreadable one, or one whose data ends no later).
    public func olderDataRefusal(lastTime: Int64, replacing path: String) -> String? {
        guard !allowOlderData, let data = FileManager.default.contents(atPath: path),
              let published = try? ModelFile.decodeManifest(data, path: path),
              published.lastTime > lastTime else { return nil }
        return "not published: the store's data ends at \(Timestamp.format(lastTime)) UTC, earlier than the data of the model it would replace (\(path), trained up to \(Timestamp.format(published.lastTime)) UTC); has a shorter file been ingested? The previous model is kept; pass \(Self.allowOlderDataFlag) to publish the older-data model anyway"
    }

    /// Why the model `blob` of `plugin` for `variable` must not be published, or nil when it works.
    public func checkRefusal(_ plugin: LoadedPlugin, blob: [UInt8], variable: Variable) -> String? {
        checker.check(plugin, blob: blob, variable: variable).map { "not published, the new model fails its check: \($0); the previous model is kept" }
    }
}

/// Loads a new model through its plugin and forecasts from it (see ``PublishGate``).
public protocol ModelChecker: Sendable {
    /// Nil when the model `blob` of `plugin` passes ``ModelCheck/verify(_:blob:variable:)``, else why not.
    func check(_ plugin: LoadedPlugin, blob: [UInt8], variable: Variable) -> String?
}

/// The check itself, wherever it runs.
public enum ModelCheck {
    /// The horizons forecast, in hours.
    public static let horizons = 1...168
    /// The interval levels forecast.
    public static let levels = [0.8, 0.95]

    /// Nil when `blob` loads through `plugin` and every forecast is sound, else the first problem.
    public static func verify(_ plugin: LoadedPlugin, blob: [UInt8], variable: Variable) -> String? {
        let model: PluginModel
        do {
            model = try plugin.loadModel(blob)
        } catch {
            return "it does not load (\(error.description))"
        }
        let range = variable.plausibleForecastRange
        for level in levels {
            for horizon in horizons {
                let output: ForecastOutput
                do {
                    output = try model.forecast(horizon: horizon, level: level)
                } catch {
                    return "its \(horizon) h forecast at level \(level) fails (\(error.description))"
                }
                if let bad = output.mean.firstIndex(where: { !range.contains($0) }) {
                    return "its \(horizon) h forecast at level \(level) has mean \(output.mean[bad]) \(variable.unit) at hour \(bad + 1), outside the plausible range \(range.lowerBound)...\(range.upperBound) \(variable.unit) for \(variable.rawValue)"
                }
            }
        }
        return nil
    }
}

/// Runs the check in this process: a plugin that crashes in load or forecast takes the caller with it.
public struct InProcessModelCheck: ModelChecker {
    /// Creates the checker.
    public init() {}

    /// ``ModelCheck/verify(_:blob:variable:)``, here.
    public func check(_ plugin: LoadedPlugin, blob: [UInt8], variable: Variable) -> String? {
        ModelCheck.verify(plugin, blob: blob, variable: variable)
    }
}
