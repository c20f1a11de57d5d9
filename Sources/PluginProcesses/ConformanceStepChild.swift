#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PluginBinding

/// The check process's side of ``IsolatedConformanceSuite``: one step in, one reply out.
public enum ConformanceStepChild {
    /// Loads the library, runs the requested step, and says what happened; each entry
    /// point's name is written to `traceDescriptor` as a `call ENTRY` line just before the
    /// call, so that a parent whose child died knows where.
    ///
    /// Never throws: an unreadable request is a failed check.
    public static func answer(_ requestBytes: [UInt8], traceDescriptor: Int32) -> ConformanceStepReply {
        let request: ConformanceStepRequest
        do {
            request = try ConformanceStepRequest.decode(requestBytes)
        } catch {
            return ConformanceStepReply(checks: [.init(name: "check process", passed: false, detail: "unreadable request: \(error)")])
        }
        let trace: @Sendable (String) -> Void = { entry in
            let line = ConformanceStepReply.traceLine(entry)
            _ = line.withUnsafeBytes { write(traceDescriptor, $0.baseAddress, $0.count) }
        }
        trace("forecast_plugin_entry")
        let plugin: LoadedPlugin
        do {
            plugin = try PluginLoader.load(path: request.path, checkPermissions: request.checkPermissions, callTrace: trace)
        } catch {
            return ConformanceStepReply(refusal: error.description)
        }
        let suite = ConformanceSuite(plugin: plugin, options: request.options)
        if request.step == ConformanceStepRequest.libraryStep {
            let info = CheckedPluginInfo(name: plugin.name, version: plugin.version, abi: plugin.abiVersionText,
                                         capabilities: plugin.capabilityNames, path: plugin.path)
            return ConformanceStepReply(checks: [suite.descriptorCheck()], info: info)
        }
        guard let step = ConformanceSuite.Step(rawValue: request.step) else {
            return ConformanceStepReply(checks: [.init(name: request.step, passed: false, detail: "no such check step")])
        }
        if step == .train {
            let (checks, blob) = suite.runTrain()
            return ConformanceStepReply(checks: checks, blob: blob)
        }
        return ConformanceStepReply(checks: suite.run(step, trainedBlob: request.blob))
    }
}
