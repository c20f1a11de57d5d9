/// Runs a plugin's train entry point: the seam between the train step and where the call
/// happens (in this process, or in a child process that a crash or hang cannot take down).
public protocol TrainingExecutor: Sendable {
    /// Trains `plugin` on `series` with `options` (JSON), reporting to `observer`.
    func train(_ plugin: LoadedPlugin, series: TimeSeries, options: String,
               observer: TrainingObserver) throws(PluginCallError) -> TrainingOutput
}

/// Calls train in this process: fastest, but a plugin that crashes takes the caller with it
/// and one that hangs blocks it.
public struct InProcessTraining: TrainingExecutor {
    /// Creates the executor.
    public init() {}

    /// Calls ``LoadedPlugin/train(_:options:observer:)``.
    public func train(_ plugin: LoadedPlugin, series: TimeSeries, options: String,
                      observer: TrainingObserver) throws(PluginCallError) -> TrainingOutput {
        try plugin.train(series, options: options, observer: observer)
    }
}
