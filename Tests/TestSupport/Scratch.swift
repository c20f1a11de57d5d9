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

    /// Writes `text` to `path/relative` and returns that path.
    @discardableResult
    public func write(_ relative: String, _ text: String) -> String {
        let target = file(relative)
        _ = FileManager.default.createFile(atPath: target, contents: Data(text.utf8))
        return target
    }

    /// Deletes the directory and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
