import PluginABI
import PluginBinding

/// Calls train in a child process with a time limit, so a plugin that crashes, aborts or
/// hangs fails its own job and nothing else.
///
/// The child (a ``PluginCallChild``, for `forecast` the `train-child` subcommand) hands the
/// ``TrainingRequest`` on its standard input to ``TrainingChild/answer(_:)`` and writes the
/// ``TrainingReply`` to its reply channel. The child only trains: the store, the model
/// files and the manifest stay with the parent.
public struct ChildProcessTraining: TrainingExecutor {
    /// The program to start (normally this executable).
    public var executable: String
    /// Its arguments before nothing else: the child reads everything else from stdin.
    public var arguments: [String]
    /// Seconds one train call may take before the child is killed (nil: no limit).
    public var timeout: Double?

    /// Creates the executor.
    public init(executable: String, arguments: [String], timeout: Double?) {
        self.executable = executable
        self.arguments = arguments
        self.timeout = timeout
    }

    /// Runs the train call in a child; a crash, a time-out or an unreadable reply is a
    /// ``PluginCallError`` with status `FP_STATUS_INTERNAL` and a message that says which.
    public func train(_ plugin: LoadedPlugin, series: TimeSeries, options: String,
                      observer: TrainingObserver) throws(PluginCallError) -> TrainingOutput {
        func failure(_ message: String) -> PluginCallError {
            PluginCallError(plugin: plugin.name, operation: "train", status: FP_STATUS_INTERNAL, message: message)
        }
        let request: [UInt8]
        do {
            request = try TrainingRequest(plugin: plugin.name, path: plugin.path, options: options, series: series).encoded()
        } catch {
            throw failure("cannot encode the training request: \(error)")
        }
        let answer: [UInt8]
        switch PluginCallChild(executable: executable, arguments: arguments, timeout: timeout).run(request) {
        case .notStarted(let why):
            throw failure("cannot start the training process: \(why)")
        case .crashed(let termination, _):
            throw failure("the plugin crashed in train (training process \(termination)); this run and the other jobs go on")
        case .timedOut(let termination, _):
            throw failure("train did not finish in time (training process \(termination)); raise --job-timeout if the series is that long")
        case .exitedWithoutReply(let status):
            throw failure("the training process ended (exit status \(status)) without a reply; the plugin may have called exit()")
        case .answered(let reply, _):
            answer = reply
        }
        let reply: TrainingReply
        do {
            reply = try TrainingReply.decode(answer)
        } catch {
            throw failure("the training process sent an unreadable reply: \(error)")
        }
        switch reply {
        case .trained(let blob, let summary):
            return TrainingOutput(blob: blob, summaryJSON: summary)
        case .failed(let status, let message):
            throw PluginCallError(plugin: plugin.name, operation: "train", status: status, message: message)
        }
    }
}
