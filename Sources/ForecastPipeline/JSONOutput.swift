import Foundation

/// Renders a step's result for `--json`: pretty-printed, sorted keys, slashes unescaped.
public enum JSONOutput {
    /// The JSON text of `value`.
    public static func render<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
