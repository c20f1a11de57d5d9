/// Where `forecast serve` runs a plugin's `load`, `forecast` and `condition` calls
/// (`plugins.json`: `"plugins": {"name": {"isolation": "worker"}}`).
public enum PluginIsolation: String, Sendable, Equatable, CaseIterable {
    /// In a supervised worker process of its own (``PluginWorker``): a crash, abort, hang
    /// or memory blow-up takes down only that plugin's routes, for the time of a restart.
    /// The default.
    case worker
    /// In the server process: no inter-process hop on an uncached forecast, but a crash in
    /// the plugin ends the whole server. For plugins one trusts like the server's own code.
    case inProcess = "in-process"
}
