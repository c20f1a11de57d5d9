#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A private temporary directory that a test removes when it is done.
public struct Scratch: Sendable {
    /// The directory's path (mode 0700, created by mkdtemp).
    public let path: String

    /// A new directory `<tmp>/forecast-<prefix>-XXXXXX`.
    public init(_ prefix: String) throws {
        var template = Array((NSTemporaryDirectory() + "forecast-\(prefix)-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw TestSetupFailure(message: "mkdtemp failed: \(String(cString: strerror(errno)))") }
        path = String(cString: made)
    }

    /// `path/relative`.
    public func file(_ relative: String) -> String { "\(path)/\(relative)" }

    /// Deletes the directory and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
