import Foundation

/// The one line a plugin says about a fitted model: the `description` string of the fit
/// summary its `train` returns (`fp_trained.summary_json`), e.g.
/// `"ARIMA(2,0,3) with constant + 2 Fourier pairs (period 24)"`.
///
/// The server shows it with every forecast in place of the whole summary. The ABI leaves
/// the summary's keys to the plugin, so a plugin written without it (every ABI 1.0 plugin)
/// still loads and serves: the server then names the plugin and its version instead, and
/// the conformance suite warns. A description that is there but unusable (not a string,
/// empty, several lines, too long) is a conformance failure: the plugin meant to give one.
public enum SummaryDescription {
    /// The longest description accepted, in characters.
    public static let maximumLength = 200

    /// What a summary says about its description.
    public enum Finding: Sendable, Equatable {
        /// A usable one-line description.
        case described(String)
        /// No `description` key (or no summary object at all).
        case missing
        /// A `description` that cannot be shown, with why.
        case invalid(String)
    }

    /// Reads the description of `summaryJSON`.
    public static func read(summaryJSON: String) -> Finding {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(summaryJSON.utf8))) as? [String: Any],
              let value = object["description"] else { return .missing }
        guard let text = value as? String else { return .invalid("the summary's \"description\" is not a string") }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return .invalid("the summary's \"description\" is empty") }
        if trimmed.contains(where: \.isNewline) { return .invalid("the summary's \"description\" has more than one line") }
        if trimmed.count > maximumLength {
            return .invalid("the summary's \"description\" is \(trimmed.count) characters long; at most \(maximumLength)")
        }
        return .described(trimmed)
    }

    /// The line to show for a model of `plugin` at `version` with `summaryJSON`: its
    /// description, or the plugin's name and version when it has no usable one.
    public static func line(summaryJSON: String, plugin: String, version: String) -> String {
        if case .described(let text) = read(summaryJSON: summaryJSON) { return text }
        return "\(plugin) \(version)"
    }
}
