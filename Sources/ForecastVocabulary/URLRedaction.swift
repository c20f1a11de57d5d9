/// Database and upstream URLs as they may appear in messages, reports and logs: with the
/// password, if the URL carries one, replaced by `***`.
public enum URLRedaction {
    /// `url` with the password of its `user:password@` part replaced by `***`; a URL
    /// without one comes back unchanged.
    ///
    /// ```swift
    /// URLRedaction.redacted("postgresql://forecast:secret@db:5432/forecast")
    /// // "postgresql://forecast:***@db:5432/forecast"
    /// ```
    public static func redacted(_ url: String) -> String {
        guard let scheme = url.firstRange(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@"),
              let colon = url[scheme.upperBound..<at].firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}
