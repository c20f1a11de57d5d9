import Foundation
import Logging
import PluginABI
import Synchronization

/// What the host offers a plugin during `train`: a logger, a progress sink and a cancel flag.
///
/// Becomes the `fp_host` struct of the ABI for the duration of one call.
public final class TrainingObserver: Sendable {
    /// Receives log lines the plugin writes.
    public let logger: Logger
    /// Receives progress reports: a fraction in [0, 1] and an optional stage label.
    public let onProgress: @Sendable (Double, String?) -> Void
    private let cancelled = Atomic<Bool>(false)

    /// Creates an observer. The plugin's `FP_LOG_DEBUG` lines reach `logger` at its own
    /// level (so they are dropped at the default, info), or always when the environment has
    /// `FORECAST_PLUGIN_DEBUG=1`.
    public init(logger: Logger = Logger(label: "forecast.plugin"),
                onProgress: @escaping @Sendable (Double, String?) -> Void = { _, _ in }) {
        var logger = logger
        if ProcessInfo.processInfo.environment["FORECAST_PLUGIN_DEBUG"] == "1" { logger.logLevel = .debug }
        self.logger = logger
        self.onProgress = onProgress
    }

    /// Asks the plugin to stop at its next cancellation check.
    public func cancel() { cancelled.store(true, ordering: .relaxed) }

    /// Whether `cancel()` has been called.
    public var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    /// Calls `body` with an `fp_host` whose context points at this observer.
    func withHostStruct<R>(_ body: (UnsafePointer<fp_host>) throws -> R) rethrows -> R {
        let context = Unmanaged.passUnretained(self).toOpaque()
        var host = fp_host(
            struct_size: UInt32(MemoryLayout<fp_host>.size),
            abi_version: FP_ABI_VERSION,
            context: context,
            log: { context, level, message in
                guard let context, let message else { return }
                let observer = Unmanaged<TrainingObserver>.fromOpaque(context).takeUnretainedValue()
                let text = String(cString: message)
                switch level {
                case FP_LOG_DEBUG: observer.logger.debug("\(text)")
                case FP_LOG_WARNING: observer.logger.warning("\(text)")
                case FP_LOG_ERROR: observer.logger.error("\(text)")
                default: observer.logger.info("\(text)")
                }
            },
            progress: { context, fraction, stage in
                guard let context else { return }
                let observer = Unmanaged<TrainingObserver>.fromOpaque(context).takeUnretainedValue()
                observer.onProgress(fraction.isFinite ? min(max(fraction, 0), 1) : 0, stage.map { String(cString: $0) })
            },
            is_cancelled: { context in
                guard let context else { return 0 }
                return Unmanaged<TrainingObserver>.fromOpaque(context).takeUnretainedValue().isCancelled ? 1 : 0
            }
        )
        return try withUnsafePointer(to: &host) { try body($0) }
    }
}
