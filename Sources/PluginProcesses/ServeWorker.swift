#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import PluginABI
import PluginBinding

/// The worker's side of ``PluginWorker``: loads one plugin library, then answers the
/// host's requests on file descriptor 3 (load, forecast, condition, release, train) until the
/// host closes the socket.
///
/// A crash, abort or hang in the plugin ends or stalls only this process; the host kills
/// and restarts it. Plugin errors are replies, never exits.
public enum ServeWorker {
    /// Limits the process's address space to `memoryLimitMB` (nil: no limit), loads the
    /// plugin at `path`, says hello, then serves until end of file. Returns the exit status.
    ///
    /// The limit is not set under AddressSanitizer or ThreadSanitizer, whose shadow memory
    /// reserves far more address space than any limit a worker would get.
    public static func run(descriptor: Int32, pluginPath: String, memoryLimitMB: Int?) -> Int32 {
        let socket = WorkerSocket(descriptor: descriptor)
        if let memoryLimitMB, !underSanitizer {
            let bytes = rlim_t(memoryLimitMB) << 20
            var limit = rlimit(rlim_cur: bytes, rlim_max: bytes)
            _ = setrlimit(Int32(RLIMIT_AS.rawValue), &limit)
        }
        var hello = WorkerMessage.Header(op: .hello)
        let plugin: LoadedPlugin
        do throws(PluginLoadError) {
            plugin = try PluginLoader.load(path: pluginPath)
        } catch {
            hello.ok = false
            hello.status = FP_STATUS_INTERNAL
            hello.message = "the worker cannot load the plugin: \(error.description)"
            try? socket.send(WorkerMessage(header: hello), deadline: nil)
            return 1
        }
        hello.ok = true
        hello.name = plugin.name
        hello.version = plugin.version
        if (try? socket.send(WorkerMessage(header: hello), deadline: nil)) == nil { return 1 }
        var models: [Int: PluginModel] = [:]
        while true {
            let request: WorkerMessage
            do throws(WorkerSocket.Failure) {
                request = try socket.receive(deadline: nil)
            } catch {
                return error == .closed ? 0 : 1
            }
            let reply = answer(request, plugin: plugin, models: &models)
            do throws(WorkerSocket.Failure) {
                try socket.send(reply, deadline: nil)
            } catch {
                return error == .closed ? 0 : 1
            }
        }
    }

    /// The reply to one request.
    static func answer(_ request: WorkerMessage, plugin: LoadedPlugin, models: inout [Int: PluginModel]) -> WorkerMessage {
        let header = request.header
        var reply = WorkerMessage.Header(op: header.op)
        func failed(_ status: Int32, _ message: String) -> WorkerMessage {
            reply.ok = false
            reply.status = status
            reply.message = message
            return WorkerMessage(header: reply)
        }
        func model() -> PluginModel? { header.model.flatMap { models[$0] } }
        do throws(PluginCallError) {
            switch header.op {
            case .hello:
                return failed(FP_STATUS_INVALID_ARGUMENT, "hello is the worker's message, not a request")
            case .load:
                guard let id = header.model else { return failed(FP_STATUS_INVALID_ARGUMENT, "load names no model id") }
                models[id] = try plugin.loadModel(request.payload)
                reply.ok = true
                return WorkerMessage(header: reply)
            case .forecast:
                guard let model = model(), let horizon = header.horizon, let level = header.level else {
                    return failed(FP_STATUS_INVALID_ARGUMENT, "forecast needs a loaded model, a horizon and a level")
                }
                let output = try model.forecast(horizon: horizon, level: level)
                reply.ok = true
                return WorkerMessage(header: reply, payload: WorkerMessage.bytes(of: output.mean + output.lower + output.upper))
            case .condition:
                guard let model = model(), let newID = header.newModel, let start = header.startTime, let step = header.stepSeconds else {
                    return failed(FP_STATUS_INVALID_ARGUMENT, "condition needs a loaded model, a new id and the series' start and step")
                }
                let series = TimeSeries(values: WorkerMessage.doubles(in: request.payload[...]), startTime: start, stepSeconds: step)
                models[newID] = try model.conditioned(on: series)
                reply.ok = true
                return WorkerMessage(header: reply)
            case .release:
                if let id = header.model { models[id] = nil }
                reply.ok = true
                return WorkerMessage(header: reply)
            case .train:
                guard let start = header.startTime, let step = header.stepSeconds, let horizon = header.horizon,
                      let levels = header.levels, !levels.isEmpty else {
                    return failed(FP_STATUS_INVALID_ARGUMENT, "train needs the series' start and step, a horizon and levels")
                }
                let series = TimeSeries(values: WorkerMessage.doubles(in: request.payload[...]), startTime: start, stepSeconds: step)
                let output = try SeriesForecast.run(plugin: plugin, series: series, options: header.options ?? "{}",
                                                    horizon: horizon, levels: levels)
                reply.ok = true
                reply.summary = output.summaryJSON
                reply.seconds = output.trainingSeconds
                return WorkerMessage(header: reply, payload: SeriesForecast.payload(output.forecasts))
            }
        } catch {
            return failed(error.status, error.message)
        }
    }

    /// Whether a sanitizer runtime is linked in (its symbols resolve in this process).
    private static var underSanitizer: Bool {
        dlsym(nil, "__asan_init") != nil || dlsym(nil, "__tsan_init") != nil
    }
}
