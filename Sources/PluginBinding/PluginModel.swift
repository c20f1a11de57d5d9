import PluginABI

/// A loaded model of one plugin: forecasts (thread-safe) and conditioning on new data.
///
/// Releases its handle through the plugin's `release_model` when the last reference goes.
public final class PluginModel: @unchecked Sendable {
    // @unchecked: the ABI makes forecast and condition thread-safe on one handle, and
    // release_model runs only in deinit, after every other use has ended.
    private let handle: OpaquePointer
    /// The plugin that made this model.
    public let plugin: LoadedPlugin

    init(handle: OpaquePointer, plugin: LoadedPlugin) {
        self.handle = handle
        self.plugin = plugin
    }

    /// Calls `body` with the raw handle (for the conformance suite's unchecked calls).
    func withHandle<R>(_ body: (OpaquePointer) -> R) -> R { body(handle) }

    deinit {
        plugin.trace("release_model")
        plugin.descriptor.pointee.release_model?(handle)
    }

    /// Forecasts `horizon` steps with central intervals at `level`.
    ///
    /// Checks what the plugin wrote: every value finite and `lower <= mean <= upper`.
    public func forecast(horizon: Int, level: Double = 0.95) throws(PluginCallError) -> ForecastOutput {
        guard horizon >= 1, horizon <= Int(Int32.max) else {
            throw PluginCallError(plugin: plugin.name, operation: "forecast", status: FP_STATUS_INVALID_ARGUMENT,
                                  message: "the horizon must be at least 1; got \(horizon)")
        }
        guard let forecast = plugin.descriptor.pointee.forecast else {
            throw PluginCallError(plugin: plugin.name, operation: "forecast", status: FP_STATUS_INTERNAL, message: "missing entry point")
        }
        // Fill with NaN so that a plugin that reports success without writing is caught below.
        var mean = [Double](repeating: .nan, count: horizon)
        var lower = mean
        var upper = mean
        plugin.trace("forecast")
        try plugin.call("forecast") { err, capacity in
            mean.withUnsafeMutableBufferPointer { m in
                lower.withUnsafeMutableBufferPointer { l in
                    upper.withUnsafeMutableBufferPointer { u in
                        forecast(handle, Int32(horizon), level, m.baseAddress, l.baseAddress, u.baseAddress, err, capacity)
                    }
                }
            }
        }
        for step in 0..<horizon {
            guard mean[step].isFinite, lower[step].isFinite, upper[step].isFinite,
                  lower[step] <= mean[step], mean[step] <= upper[step] else {
                throw PluginCallError(
                    plugin: plugin.name, operation: "forecast", status: FP_STATUS_NUMERICAL,
                    message: "step \(step + 1) is invalid: mean \(mean[step]), interval \(lower[step])...\(upper[step])")
            }
        }
        return ForecastOutput(mean: mean, lower: lower, upper: upper)
    }

    /// Returns a model with the same parameters that forecasts from the end of `newer`.
    ///
    /// `newer` must start one step after this model's last observation.
    public func conditioned(on newer: TimeSeries) throws(PluginCallError) -> PluginModel {
        guard let condition = plugin.descriptor.pointee.condition else {
            throw PluginCallError(plugin: plugin.name, operation: "condition", status: FP_STATUS_UNSUPPORTED,
                                  message: "this plugin does not offer conditioning on new data")
        }
        var result: OpaquePointer?
        plugin.trace("condition")
        try plugin.call("condition") { err, capacity in
            newer.values.withUnsafeBufferPointer { values in
                var raw = fp_series(values: values.baseAddress, count: values.count,
                                    start_time: newer.startTime, step_seconds: newer.stepSeconds)
                return condition(handle, &raw, &result, err, capacity)
            }
        }
        guard let result else {
            throw PluginCallError(plugin: plugin.name, operation: "condition", status: FP_STATUS_INTERNAL,
                                  message: "the plugin reported success but returned no model")
        }
        return PluginModel(handle: result, plugin: plugin)
    }
}

/// A forecast path: means and interval bounds, one element per step ahead.
public struct ForecastOutput: Sendable, Equatable {
    /// Point forecasts.
    public var mean: [Double]
    /// Lower bounds.
    public var lower: [Double]
    /// Upper bounds.
    public var upper: [Double]

    /// Creates a forecast.
    public init(mean: [Double], lower: [Double], upper: [Double]) {
        self.mean = mean
        self.lower = lower
        self.upper = upper
    }
}
