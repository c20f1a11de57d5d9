import PluginABI

/// A plugin library that passed validation: its identity and its C entry points.
///
/// Loaded once and never unloaded, so the descriptor pointer stays valid for the life
/// of the process. Every method calls through the C ABI only.
public final class LoadedPlugin: @unchecked Sendable {
    // @unchecked: the descriptor is the host's immutable copy of constant static data of
    // a library that is never unloaded, and the ABI declares train/load/forecast/condition
    // thread-safe.
    /// The host's copy of the plugin's descriptor: the fields its `struct_size` covers,
    /// the rest zero (see ``PluginLoader``).
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
    /// The `FP_CAPABILITY_*` bits the plugin declares (0 for an ABI 1.0 plugin, whose
    /// descriptor does not reach the field).
    public let capabilities: UInt64
    /// Whether train and condition accept NaN as "not observed" (`FP_CAPABILITY_MISSING_VALUES`):
    /// then `forecast train` passes the whole history with missing hours as NaN.
    public var acceptsMissingValues: Bool { capabilities & FP_CAPABILITY_MISSING_VALUES != 0 }

    /// Told the name of each entry point just before it is called (nil: nobody listens).
    /// Only the conformance suite's child process listens, to say where a plugin crashed.
    let callTrace: (@Sendable (String) -> Void)?

    init(descriptor: UnsafePointer<fp_plugin_descriptor>, path: String, callTrace: (@Sendable (String) -> Void)? = nil) {
        self.descriptor = descriptor
        self.path = path
        self.callTrace = callTrace
        let table = descriptor.pointee
        name = String(cString: table.name)
        version = table.version.map { String(cString: $0) } ?? ""
        summary = table.description.map { String(cString: $0) } ?? ""
        abiVersion = table.abi_version
        defaultOptionsJSON = table.default_options_json.map { String(cString: $0) }
        supportsConditioning = table.condition != nil
        // The copy is zero past struct_size, but say so in terms of the rule: read an
        // appended field only when the plugin's struct covers it, and only from a 1.1 plugin.
        let covered = PluginABIInfo.covers(structSize: table.struct_size,
                                           offset: MemoryLayout<fp_plugin_descriptor>.offset(of: \.capabilities)!,
                                           size: MemoryLayout<UInt64>.size)
        capabilities = covered && table.abi_version & 0xFFFF >= 1 ? table.capabilities : 0
    }

    /// The capabilities by name, for people: `["missing-values"]`.
    public var capabilityNames: [String] {
        var names: [String] = []
        if acceptsMissingValues { names.append("missing-values") }
        let unknown = capabilities & ~FP_CAPABILITY_MISSING_VALUES
        if unknown != 0 { names.append("unknown bits 0x" + String(unknown, radix: 16)) }
        return names
    }

    /// The ABI version as `major.minor`.
    public var abiVersionText: String { "\(abiVersion >> 16).\(abiVersion & 0xFFFF)" }

    static let errorCapacity = 1024

    /// Reports that `entry` is about to be called, when someone listens.
    func trace(_ entry: String) {
        callTrace?(entry)
    }

    /// Calls the plugin's release_buffer on `buffer` (NULL must be a no-op).
    func releaseBuffer(_ buffer: UnsafeMutableRawPointer?) {
        trace("release_buffer")
        descriptor.pointee.release_buffer?(buffer)
    }

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
        trace("train")
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
            if trained.blob != nil || trained.summary_json != nil { trace("release_buffer") }
            if let blob = trained.blob { release(blob) }
            if let summary = trained.summary_json { release(summary) }
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
        trace("load")
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

    /// A training result of `blob` and `summaryJSON`.
    public init(blob: [UInt8], summaryJSON: String) {
        self.blob = blob
        self.summaryJSON = summaryJSON
    }
}
