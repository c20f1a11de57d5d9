import PluginABI

/// The host's services (logging, progress, cancellation) during one `train` call.
///
/// Valid only for the duration of the call it is passed to; do not store it.
/// Every method is a no-op when the host did not offer the service.
public struct HostServices: @unchecked Sendable {
    private let host: UnsafePointer<fp_host>?

    /// Wraps the host's `fp_host` pointer (which may be NULL).
    public init(_ host: UnsafePointer<fp_host>?) {
        self.host = host
    }

    /// Services that do nothing: for calling a plugin's Swift API directly in tests or tools.
    public static let none = HostServices(nil)

    /// The host's struct as far as its `struct_size` reaches, the rest zero: a host built
    /// against another minor version of the header may pass a smaller or bigger struct
    /// than this one, and only the covered fields are read (never past its end).
    private var table: fp_host? {
        guard let host else { return nil }
        let raw = UnsafeRawPointer(host)
        let declared = Int(raw.load(fromByteOffset: 0, as: UInt32.self))
        guard declared >= MemoryLayout<fp_host>.offset(of: \.context)! + MemoryLayout<UnsafeMutableRawPointer?>.size else {
            return nil // not even the context is there: nothing can be called
        }
        var copy = fp_host()
        withUnsafeMutableBytes(of: &copy) { $0.copyMemory(from: UnsafeRawBufferPointer(start: raw, count: Swift.min(declared, $0.count))) }
        return copy
    }

    /// Writes one line to the host's log at an `FP_LOG_*` level.
    public func log(_ message: String, level: Int32 = FP_LOG_INFO) {
        guard let table, let log = table.log else { return }
        message.withCString { log(table.context, level, $0) }
    }

    /// Reports progress through the current training as a fraction in [0, 1].
    public func progress(_ fraction: Double, stage: String? = nil) {
        guard let table, let progress = table.progress else { return }
        let clamped = Swift.min(Swift.max(fraction, 0), 1)
        if let stage {
            stage.withCString { progress(table.context, clamped, $0) }
        } else {
            progress(table.context, clamped, nil)
        }
    }

    /// Whether the host has asked training to stop.
    public var isCancelled: Bool {
        guard let table, let isCancelled = table.is_cancelled else { return false }
        return isCancelled(table.context) != 0
    }

    /// Throws ``PluginError/cancelled`` when the host has asked training to stop.
    public func checkCancellation() throws(PluginError) {
        if isCancelled { throw PluginError.cancelled }
    }
}
