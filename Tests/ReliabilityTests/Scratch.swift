import Foundation
import TestSupport

/// A private temporary directory that a test removes when it is done.
struct Scratch {
    /// The directory's path (mode 0700, created by mkdtemp).
    let path: String

    init(_ prefix: String) throws {
        var template = Array((NSTemporaryDirectory() + "reliability-\(prefix)-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw TestSetupFailure(message: "mkdtemp failed: \(String(cString: strerror(errno)))") }
        path = String(cString: made)
    }

    /// `path/relative`.
    func file(_ relative: String) -> String { "\(path)/\(relative)" }

    /// Deletes the directory and everything in it.
    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

