#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import Logging
import PluginABI
import PluginBinding

/// The child's side of ``ChildProcessTraining``: one request in, one reply out.
public enum TrainingChild {
    /// Loads the requested plugin, trains it, and says what happened.
    ///
    /// Never throws: every failure (an unreadable request, a library that does not load or
    /// is another plugin, the plugin's own error) becomes a ``TrainingReply/failed(status:message:)``.
    public static func answer(_ requestBytes: [UInt8], logger: Logger = Logger(label: "forecast.plugin")) -> TrainingReply {
        let request: TrainingRequest
        do {
            request = try TrainingRequest.decode(requestBytes)
        } catch {
            return .failed(status: FP_STATUS_INVALID_ARGUMENT, message: "unreadable training request: \(error)")
        }
        let plugin: LoadedPlugin
        do {
            plugin = try PluginLoader.load(path: request.path)
        } catch {
            return .failed(status: FP_STATUS_INTERNAL, message: "the training process cannot load the plugin: \(error.description)")
        }
        guard plugin.name == request.plugin else {
            return .failed(status: FP_STATUS_INTERNAL, message: "\(request.path) is now plugin '\(plugin.name)', not '\(request.plugin)'")
        }
        do {
            let output = try plugin.train(request.series, options: request.options, observer: TrainingObserver(logger: logger))
            return .trained(blob: output.blob, summaryJSON: output.summaryJSON)
        } catch {
            return .failed(status: error.status, message: error.message)
        }
    }

    /// Ends this process as soon as nobody reads `descriptor` any more: the parent that
    /// would read the reply is gone (killed, say), so training on would only waste a core.
    ///
    /// A watcher thread polls the write end of the reply pipe, which reports an error once
    /// the read end is closed.
    public static func exitWhenReaderIsGone(descriptor: Int32) {
        let watcher = Thread {
            var entry = pollfd(fd: descriptor, events: 0, revents: 0)
            while true {
                let ready = poll(&entry, 1, -1)
                if ready < 0 && errno == EINTR { continue }
                if ready < 0 || entry.revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 { _exit(70) }
            }
        }
        watcher.start()
    }
}
