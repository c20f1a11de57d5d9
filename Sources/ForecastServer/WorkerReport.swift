import ForecastConfiguration
import Foundation
import PluginProcesses

/// What `/readyz`, `GET /{route}` and `/metrics` say about plugin workers.
enum WorkerReport {
    /// `"isolation"` and, for a worker, a `"worker"` object: its state (`idle`, `running`
    /// with its pid and resident memory, `down` with the reason and the seconds until the
    /// restart) and the plugin's counts (calls, restarts, timeouts, crashes).
    static func write(_ json: inout JSONWriter, routeModels: RouteModels, statistics: WorkerStatistics?) {
        guard let worker = routeModels.worker else {
            json.string("isolation", PluginIsolation.inProcess.rawValue)
            return
        }
        json.string("isolation", PluginIsolation.worker.rawValue)
        json.beginObject("worker")
        switch worker.currentState {
        case .idle:
            json.string("state", "idle")
        case .running(let pid):
            json.string("state", "running")
            json.int("pid", Int64(pid))
            if let bytes = worker.residentBytes { json.int("residentBytes", Int64(bytes)) }
        case .down(let reason, let restartAt):
            json.string("state", "down")
            json.string("reason", reason)
            json.number("restartInSeconds", JSONText.rounded(max(0, restartAt - monotonicNow())))
        }
        let counts = (statistics ?? worker.statistics).current
        json.int("calls", Int64(counts.calls))
        json.int("restarts", Int64(counts.restarts))
        json.int("timeouts", Int64(counts.timeouts))
        json.int("crashes", Int64(counts.crashes))
        json.endObject()
    }

    /// Prometheus text for every plugin with a worker in `models`: calls, restarts,
    /// timeouts and crashes (counters), whether the worker is up and its resident memory
    /// (gauges), labelled by plugin.
    static func metrics(_ models: ModelSet) -> String {
        var workers: [String: PluginWorker] = [:]
        for routeModels in models.routes.values {
            if let worker = routeModels.worker { workers[routeModels.pluginName] = worker }
        }
        guard !workers.isEmpty else { return "" }
        let sorted = workers.sorted { $0.key < $1.key }
        var text = ""
        let counters: [(String, String, (WorkerStatistics.Counts) -> Int)] = [
            ("forecast_worker_calls_total", "Calls sent to the plugin's worker (load and forecast).", { $0.calls }),
            ("forecast_worker_restarts_total", "Times the plugin's worker was started again after it died or was killed.", { $0.restarts }),
            ("forecast_worker_timeouts_total", "Worker calls that passed their time limit (the worker was killed).", { $0.timeouts }),
            ("forecast_worker_crashes_total", "Workers that died during a call (crash, abort, memory limit).", { $0.crashes }),
        ]
        for (name, help, value) in counters {
            text += "# HELP \(name) \(help)\n# TYPE \(name) counter\n"
            for (plugin, worker) in sorted { text += "\(name){plugin=\"\(plugin)\"} \(value(worker.statistics.current))\n" }
        }
        text += "# HELP forecast_worker_up Whether the plugin's worker can answer (1) or is down for a restart (0).\n"
        text += "# TYPE forecast_worker_up gauge\n"
        for (plugin, worker) in sorted { text += "forecast_worker_up{plugin=\"\(plugin)\"} \(worker.unavailableReason == nil ? 1 : 0)\n" }
        text += "# HELP forecast_worker_resident_bytes Resident memory of the plugin's worker process.\n"
        text += "# TYPE forecast_worker_resident_bytes gauge\n"
        for (plugin, worker) in sorted {
            if let bytes = worker.residentBytes { text += "forecast_worker_resident_bytes{plugin=\"\(plugin)\"} \(bytes)\n" }
        }
        return text
    }

    /// `CLOCK_MONOTONIC` seconds, the clock worker restart times are on.
    static func monotonicNow() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
