#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import PluginABI
import Locking

/// Turns a ``ForecastPlugin`` conformance into the C descriptor of `forecast_plugin.h`.
///
/// A Swift plugin's only export is one line:
///
/// ```swift
/// @_cdecl("forecast_plugin_entry")
/// public func forecastPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: MyPlugin.self) }
/// ```
///
/// The descriptor is built once, on the first call, and lives for the life of the
/// process (the host never unloads a plugin). All pointer handling, status codes,
/// error buffers and buffer ownership are done here, so plugins deal in Swift values.
public enum PluginExport {
    private struct Registration: @unchecked Sendable {
        let plugin: any ForecastPlugin.Type
        let descriptor: UnsafeMutablePointer<fp_plugin_descriptor>
    }

    private static let registration = Locked<Registration?>(nil)

    /// Returns the process-wide descriptor for `plugin`, building it on first use.
    ///
    /// Every call returns the same pointer; a library exports exactly one plugin.
    public static func descriptor<P: ForecastPlugin>(for plugin: P.Type) -> UnsafeRawPointer {
        // The lock hands out an address (a plain integer); the descriptor it names is
        // immutable once built, so sharing it between threads is safe.
        let address: UInt = registration.withLock { current in
            if let current { return UInt(bitPattern: current.descriptor) }
            let descriptor = UnsafeMutablePointer<fp_plugin_descriptor>.allocate(capacity: 1)
            let conditionable = P.Model.self is any ConditionableModel.Type
            descriptor.initialize(to: fp_plugin_descriptor(
                abi_version: FP_ABI_VERSION,
                struct_size: UInt32(MemoryLayout<fp_plugin_descriptor>.size),
                name: UnsafePointer(strdup(P.name)),
                version: UnsafePointer(strdup(P.version)),
                description: UnsafePointer(strdup(P.summary)),
                train: trainThunk,
                load: loadThunk,
                forecast: forecastThunk,
                release_model: releaseModelThunk,
                release_buffer: releaseBufferThunk,
                condition: conditionable ? conditionThunk : nil,
                get_extension: nil,
                default_options_json: P.defaultOptionsJSON.map { UnsafePointer(strdup($0)) },
                capabilities: P.acceptsMissingValues ? FP_CAPABILITY_MISSING_VALUES : 0
            ))
            current = Registration(plugin: P.self, descriptor: descriptor)
            return UInt(bitPattern: descriptor)
        }
        return UnsafeRawPointer(bitPattern: address)!
    }

    private static var plugin: (any ForecastPlugin.Type)? {
        registration.withLock { $0?.plugin }
    }

    // MARK: - Boxes and buffers

    /// The object behind an `fp_model *`: a retained reference to the Swift model.
    private final class ModelBox: Sendable {
        let model: any ForecastModel
        init(_ model: any ForecastModel) { self.model = model }
    }

    private static func handle(for model: any ForecastModel) -> OpaquePointer {
        OpaquePointer(Unmanaged.passRetained(ModelBox(model)).toOpaque())
    }

    private static func model(from handle: OpaquePointer) -> any ForecastModel {
        Unmanaged<ModelBox>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue().model
    }

    /// Writes `message` as NUL-terminated UTF-8 into the caller's buffer, truncated on a
    /// character boundary to fit.
    static func write(_ message: String, to buffer: UnsafeMutablePointer<CChar>?, capacity: Int) {
        guard let buffer, capacity > 0 else { return }
        let bytes = Array(message.utf8)
        var length = Swift.min(bytes.count, capacity - 1)
        // Do not cut a multi-byte character in half: back off over continuation bytes.
        if length < bytes.count {
            while length > 0 && (bytes[length] & 0xC0) == 0x80 { length -= 1 }
        }
        for index in 0..<length { buffer[index] = CChar(bitPattern: bytes[index]) }
        buffer[length] = 0
    }

    private static func fail(_ error: PluginError, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int) -> Int32 {
        write(error.message, to: buffer, capacity: capacity)
        return error.status
    }

    private static func series(from pointer: UnsafePointer<fp_series>) throws(PluginError) -> Series {
        let raw = pointer.pointee
        guard Series.validSteps.contains(raw.step_seconds) else {
            throw .invalidArgument("the series step must be between 1 second and one year; got \(raw.step_seconds) seconds")
        }
        guard Series.validTimes.contains(raw.start_time) else {
            throw .invalidArgument("the series start time \(raw.start_time) is not between the years 1 and 9999")
        }
        guard raw.count <= 1 << 40 else {
            throw .invalidArgument("the series has \(raw.count) values, more than any model here can use")
        }
        guard raw.count == 0 || raw.values != nil else {
            throw .invalidArgument("the series has \(raw.count) values but a NULL values pointer")
        }
        let values = raw.count == 0 ? [] : Array(UnsafeBufferPointer(start: raw.values, count: raw.count))
        return Series(values: values, startTime: raw.start_time, stepSeconds: raw.step_seconds)
    }

    // MARK: - C entry points

    private static let trainThunk: @convention(c) (
        UnsafePointer<fp_host>?, UnsafePointer<fp_series>?, UnsafePointer<CChar>?,
        UnsafeMutablePointer<fp_trained>?, UnsafeMutablePointer<CChar>?, Int
    ) -> Int32 = { host, seriesPointer, options, out, err, capacity in
        guard let seriesPointer, let out else {
            return fail(.invalidArgument("train needs a series and an output struct; got NULL"), err, capacity)
        }
        guard let plugin = PluginExport.plugin else {
            return fail(.internal("the plugin was called before its descriptor was built"), err, capacity)
        }
        do throws(PluginError) {
            let input = try series(from: seriesPointer)
            let optionsText = options.map { String(cString: $0) } ?? ""
            let trained = try plugin.train(input, options: optionsText, host: HostServices(host))
            guard let blob = malloc(Swift.max(trained.blob.count, 1))?.assumingMemoryBound(to: UInt8.self),
                  let summary = strdup(trained.summaryJSON) else {
                return fail(PluginError(status: FP_STATUS_OUT_OF_MEMORY, "could not allocate the model blob"), err, capacity)
            }
            trained.blob.withUnsafeBufferPointer { source in
                if let base = source.baseAddress { blob.update(from: base, count: source.count) }
            }
            out.pointee = fp_trained(blob: blob, blob_size: trained.blob.count, summary_json: summary)
            return FP_STATUS_OK
        } catch {
            return fail(error, err, capacity)
        }
    }

    private static let loadThunk: @convention(c) (
        UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<OpaquePointer?>?, UnsafeMutablePointer<CChar>?, Int
    ) -> Int32 = { blob, size, out, err, capacity in
        guard let out else { return fail(.invalidArgument("load needs an output pointer; got NULL"), err, capacity) }
        guard let plugin = PluginExport.plugin else {
            return fail(.internal("the plugin was called before its descriptor was built"), err, capacity)
        }
        let bytes = (blob == nil || size == 0) ? [] : Array(UnsafeBufferPointer(start: blob, count: size))
        do throws(PluginError) {
            let model = try plugin.load(bytes)
            out.pointee = handle(for: model)
            return FP_STATUS_OK
        } catch {
            return fail(error, err, capacity)
        }
    }

    private static let forecastThunk: @convention(c) (
        OpaquePointer?, Int32, Double, UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Double>?,
        UnsafeMutablePointer<Double>?, UnsafeMutablePointer<CChar>?, Int
    ) -> Int32 = { modelHandle, horizon, level, mean, lower, upper, err, capacity in
        guard let modelHandle else { return fail(.invalidArgument("forecast needs a model; got NULL"), err, capacity) }
        guard let mean, let lower, let upper else {
            return fail(.invalidArgument("forecast needs mean, lower and upper arrays; got NULL"), err, capacity)
        }
        guard horizon >= 1 else {
            return fail(.invalidArgument("the horizon must be at least 1 step; got \(horizon)"), err, capacity)
        }
        guard level > 0, level < 1 else {
            return fail(.invalidArgument("the interval level must lie strictly between 0 and 1; got \(level)"), err, capacity)
        }
        do throws(PluginError) {
            let result = try model(from: modelHandle).forecast(horizon: Int(horizon), level: level).validated()
            guard result.mean.count == Int(horizon) else {
                throw .internal("the model returned \(result.mean.count) steps for a horizon of \(horizon)")
            }
            for step in 0..<Int(horizon) {
                mean[step] = result.mean[step]
                lower[step] = result.lower[step]
                upper[step] = result.upper[step]
            }
            return FP_STATUS_OK
        } catch {
            return fail(error, err, capacity)
        }
    }

    private static let conditionThunk: @convention(c) (
        OpaquePointer?, UnsafePointer<fp_series>?, UnsafeMutablePointer<OpaquePointer?>?,
        UnsafeMutablePointer<CChar>?, Int
    ) -> Int32 = { modelHandle, newer, out, err, capacity in
        guard let modelHandle, let newer, let out else {
            return fail(.invalidArgument("condition needs a model, a series and an output pointer; got NULL"), err, capacity)
        }
        guard let fitted = model(from: modelHandle) as? any ConditionableModel else {
            return fail(.unsupported("this model cannot be conditioned on new data"), err, capacity)
        }
        do throws(PluginError) {
            let input = try series(from: newer)
            guard input.stepSeconds == fitted.stepSeconds else {
                throw .invalidArgument("the new observations are \(input.stepSeconds) s apart; the model's series is \(fitted.stepSeconds) s apart")
            }
            let expected = fitted.lastTime + fitted.stepSeconds
            guard input.startTime == expected else {
                throw .invalidArgument("the new observations must start one step after the model's last observation (at \(expected)); they start at \(input.startTime)")
            }
            guard let plugin = PluginExport.plugin else {
                throw .internal("the plugin was called before its descriptor was built")
            }
            if plugin.acceptsMissingValues {
                try input.requireFiniteOrMissing()
            } else {
                try input.requireFinite()
            }
            out.pointee = handle(for: try fitted.conditioned(on: input))
            return FP_STATUS_OK
        } catch {
            return fail(error, err, capacity)
        }
    }

    private static let releaseModelThunk: @convention(c) (OpaquePointer?) -> Void = { modelHandle in
        guard let modelHandle else { return }
        Unmanaged<ModelBox>.fromOpaque(UnsafeRawPointer(modelHandle)).release()
    }

    private static let releaseBufferThunk: @convention(c) (UnsafeMutableRawPointer?) -> Void = { buffer in
        free(buffer)
    }
}
