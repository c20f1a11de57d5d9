/// A city's name as files and URLs spell it: the one slug rule for model file paths,
/// processed CSVs, route parameters (`/v1/models/san-francisco`) and `?city=` matching.
public enum CityName {
    /// The slug of `city`: lower case, runs of other characters as one `-`, `city` when
    /// nothing is left.
    ///
    /// ```swift
    /// CityName.slug("San Francisco")  // "san-francisco"
    /// ```
    public static func slug(_ city: String) -> String {
        var result = ""
        var pendingDash = false
        for scalar in city.lowercased().unicodeScalars {
            if (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9") {
                if pendingDash && !result.isEmpty { result.append("-") }
                pendingDash = false
                result.unicodeScalars.append(scalar)
            } else {
                pendingDash = true
            }
        }
        return result.isEmpty ? "city" : result
    }
}
