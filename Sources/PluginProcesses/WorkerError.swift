import PluginBinding
/// Why a call to a plugin's serving worker gave no result.
public enum WorkerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The plugin answered with an error (bad model, numerical failure, ...): the worker is fine.
    case plugin(PluginCallError)
    /// The worker could not answer: it crashed, was killed at its time limit, could not
    /// start, or is down and waiting to restart. The text says which and for how long.
    case unavailable(plugin: String, reason: String)

    /// One line saying what happened.
    public var description: String {
        switch self {
        case .plugin(let error): error.description
        case .unavailable(let plugin, let reason): "plugin \(plugin): \(reason)"
        }
    }
}
