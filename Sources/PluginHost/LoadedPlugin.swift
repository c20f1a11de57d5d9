import PluginABI

/// A plugin library that passed validation: its identity and its C entry points.
///
/// Loaded once and never unloaded, so the descriptor pointer stays valid for the life
/// of the process. Every method calls through the C ABI only.
public final class LoadedPlugin: @unchecked Sendable {
    // @unchecked: the descriptor is constant static data of a library that is never
    // unloaded, and the ABI declares train/load/forecast/condition thread-safe.
    let descriptor: UnsafePointer<fp_plugin_descriptor>

    /// The plugin's unique name, e.g. `arima`.
    public let name: String
    /// The plugin's own version.
    public let version: String
    /// One line saying what the plugin does.
    public let summary: String
    /// The packed ABI version the plugin was built against.
    public let abiVersion: UInt32
    /// The library file it was loaded from.
    public let path: String
    /// The plugin's documented default options (JSON), when it publishes them.
    public let defaultOptionsJSON: String?
    /// Whether the plugin offers the optional `condition` entry.
    public let supportsConditioning: Bool

    init(descriptor: UnsafePointer<fp_plugin_descriptor>, path: String) {
        self.descriptor = descriptor
        self.path = path
        let table = descriptor.pointee
        name = String(cString: table.name)
        version = table.version.map { String(cString: $0) } ?? ""
        summary = table.description.map { String(cString: $0) } ?? ""
        abiVersion = table.abi_version
        defaultOptionsJSON = table.default_options_json.map { String(cString: $0) }
        supportsConditioning = table.condition != nil
    }

    /// The ABI version as `major.minor`.
    public var abiVersionText: String { "\(abiVersion >> 16).\(abiVersion & 0xFFFF)" }

    static let errorCapacity = 1024

    /// Calls `body` with a zeroed error buffer and turns a non-OK status into a `PluginCallError`.
    func call(_ operation: String, _ body: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws(PluginCallError) {
        var buffer = [CChar](repeating: 0, count: Self.errorCapacity)
        let status = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
        guard status == FP_STATUS_OK else {
            buffer[Self.errorCapacity - 1] = 0
            let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw PluginCallError(plugin: name, operation: operation, status: status,
                                  message: text.isEmpty ? "the plugin gave no message" : text)
        }
    }

    /// Trains a model on `series` with `options` (JSON), reporting to `observer`.
    ///
    /// The returned blob and summary are copies; the plugin's buffers are released here.
    public func train(_ series: TimeSeries, options: String = "{}",
                      observer: TrainingObserver = TrainingObserver()) throws(PluginCallError) -> TrainingOutput {
        guard let train = descriptor.pointee.train, let release = descriptor.pointee.release_buffer else {
            throw PluginCallError(plugin: name, operation: "train", status: FP_STATUS_INTERNAL, message: "missing entry points")
        }
        var trained = fp_trained(blob: nil, blob_size: 0, summary_json: nil)
        try call("train") { err, capacity in
            series.values.withUnsafeBufferPointer { values in
                var raw = fp_series(values: values.baseAddress, count: values.count,
                                    start_time: series.startTime, step_seconds: series.stepSeconds)
                return observer.withHostStruct { host in
                    options.withCString { train(host, &raw, $0, &trained, err, capacity) }
                }
            }
        }
        defer {
            release(trained.blob)
            release(trained.summary_json)
        }
        guard let blob = trained.blob, trained.blob_size > 0 else {
            throw PluginCallError(plugin: name, operation: "train", status: FP_STATUS_INTERNAL,
                                  message: "the plugin reported success but returned an empty model blob")
        }
        let bytes = Array(UnsafeBufferPointer(start: blob, count: trained.blob_size))
        let summary = trained.summary_json.map { String(cString: $0) } ?? "{}"
        return TrainingOutput(blob: bytes, summaryJSON: summary)
    }

    /// Loads a model from a blob this plugin produced.
    public func loadModel(_ blob: [UInt8]) throws(PluginCallError) -> PluginModel {
        guard let load = descriptor.pointee.load else {
            throw PluginCallError(plugin: name, operation: "load", status: FP_STATUS_INTERNAL, message: "missing entry point")
        }
        var handle: OpaquePointer?
        try call("load") { err, capacity in
            blob.withUnsafeBufferPointer { load($0.baseAddress, $0.count, &handle, err, capacity) }
        }
        guard let handle else {
            throw PluginCallError(plugin: name, operation: "load", status: FP_STATUS_INTERNAL,
                                  message: "the plugin reported success but returned no model")
        }
        return PluginModel(handle: handle, plugin: self)
    }
}

/// The result of a training call: the model blob and the plugin's fit summary (JSON).
public struct TrainingOutput: Sendable {
    /// The opaque model bytes.
    public var blob: [UInt8]
    /// A JSON object describing the fit.
    public var summaryJSON: String
}
