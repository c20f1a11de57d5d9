import Foundation
import PluginBinding

/// Locates what `swift build` produced, for tests that go through the real C ABI.
public enum BuildProducts {
    /// The directory holding the plugin libraries: `$FORECAST_TEST_PLUGIN_DIR`, else the
    /// directory of the running test bundle (SwiftPM puts `lib*.so` beside it).
    public static var directory: String {
        if let dir = ProcessInfo.processInfo.environment["FORECAST_TEST_PLUGIN_DIR"], !dir.isEmpty { return dir }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // Inside an .xctest bundle directory on some platforms: climb out of it.
        while url.path.contains(".xctest") { url.deleteLastPathComponent() }
        return url.path
    }

    /// The path of `lib<product>.so` in the build directory.
    public static func libraryPath(_ product: String) -> String {
        "\(directory)/lib\(product).so"
    }

    /// The path of the `forecast` executable in the build directory.
    public static var forecastExecutable: String { "\(directory)/forecast" }

    /// Loads `lib<product>.so` through the host's loader (the real `dlopen` path).
    ///
    /// Fails with a message saying to run `swift build` when the library is not there:
    /// `swift test` alone does not link the dynamic plugin products.
    public static func plugin(_ product: String) throws -> LoadedPlugin {
        let path = libraryPath(product)
        guard FileManager.default.fileExists(atPath: path) else {
            throw MissingProduct(path: path)
        }
        return try PluginLoader.load(path: path)
    }

    /// The package's root directory (for fixtures and scripts).
    public static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// The path of a committed fixture under `Tests/Fixtures`.
    public static func fixture(_ relativePath: String) -> String {
        "\(packageRoot)/Tests/Fixtures/\(relativePath)"
    }
}

/// A build product the tests need is missing.
public struct MissingProduct: Error, CustomStringConvertible {
    /// Where it was expected.
    public var path: String
    /// A sentence saying what to run.
    public var description: String { "\(path) does not exist: run `swift build` before `swift test` (swift test does not link plugin libraries)" }
}
