import Foundation

/// Compiles C sources into shared libraries with the system's `cc`, the way a
/// third-party author outside this package would: from the header alone. A directory of
/// libraries over `SharedLibraryCompiler` (one library) and `Scratch` (the directory).
public struct LibraryBuilder: Sendable {
    /// A private (mode 0700) temporary directory for the libraries.
    public let directory: String

    public init() throws {
        directory = try Scratch("plugins").path
    }

    /// Compiles `source` (C text) into `<directory>/<name>.so` and returns its path.
    @discardableResult
    public func compile(_ source: String, name: String) throws -> String {
        try SharedLibraryCompiler.compile(text: source, into: directory, library: "\(name).so")
    }

    /// Compiles the C file at `path` into `<directory>/<name>.so`.
    @discardableResult
    public func compile(file path: String, name: String) throws -> String {
        let output = "\(directory)/\(name).so"
        try SharedLibraryCompiler.compile(path, to: output)
        return output
    }

    /// Removes the directory.
    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
