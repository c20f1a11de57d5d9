/// A fitted model, loaded from its blob, that forecasts from its last observation.
///
/// Instances are immutable and shared between threads: `forecast` is called
/// concurrently on one instance, so it must not mutate shared state.
public protocol ForecastModel: Sendable {
    /// Forecasts `horizon` steps (at least 1) with central intervals at `level` in (0, 1).
    func forecast(horizon: Int, level: Double) throws(PluginError) -> ForecastResult
}

/// A model that can be conditioned on newer observations without refitting.
///
/// Conforming makes the export layer fill the ABI's optional `condition` entry.
public protocol ConditionableModel: ForecastModel {
    /// Returns a model with the same parameters that forecasts from the end of `newer`.
    ///
    /// The export layer has already checked that `newer` continues the model's series
    /// (start one step after `lastTime`, the same step) and holds only finite values, or
    /// finite values and NaN for a plugin that declares ``ForecastPlugin/acceptsMissingValues``.
    func conditioned(on newer: Series) throws(PluginError) -> Self

    /// Time of the last observation the model has seen (Unix seconds).
    var lastTime: Int64 { get }
    /// Seconds between observations of the model's series.
    var stepSeconds: Int64 { get }
}
