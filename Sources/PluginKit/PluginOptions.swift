#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decodes a plugin's JSON options, rejecting unknown keys with a message that names them.
///
/// ```swift
/// struct Options: Decodable { var maxlag = 72 ... }
/// let options = try PluginOptions.decode(Options.self, from: json, keys: ["maxlag", "ic"])
/// ```
public enum PluginOptions {
    /// Decodes `json` (empty or whitespace means `{}`) into `T`, allowing only `keys`.
    public static func decode<T: Decodable>(_ type: T.Type, from json: String, keys: Set<String>) throws(PluginError) -> T {
        let trimmed = String(json.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        let data = Data((trimmed.isEmpty ? "{}" : trimmed).utf8)
        let present: [String]
        do {
            present = try JSONDecoder().decode([String: JSONValue].self, from: data).keys.sorted()
        } catch {
            throw .invalidArgument("options must be a JSON object, e.g. {\"\(keys.sorted().first ?? "key")\": ...}; got \(trimmed.prefix(80))")
        }
        if let unknown = present.first(where: { !keys.contains($0) }) {
            throw .invalidArgument("unknown option '\(unknown)'; the options are: \(keys.sorted().joined(separator: ", "))")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as PluginError {
            throw error
        } catch let DecodingError.typeMismatch(expected, context) {
            throw .invalidArgument("option '\(path(context.codingPath))' must be of type \(expected)")
        } catch let DecodingError.dataCorrupted(context) {
            throw .invalidArgument("option '\(path(context.codingPath))': \(context.debugDescription)")
        } catch let DecodingError.valueNotFound(_, context) {
            throw .invalidArgument("option '\(path(context.codingPath))' must not be null")
        } catch {
            throw .invalidArgument("options could not be read: \(error)")
        }
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.map(\.stringValue).joined(separator: ".")
    }

    /// Any JSON value; used only to list the keys present.
    private struct JSONValue: Decodable {
        init(from decoder: any Decoder) throws {}
    }
}
