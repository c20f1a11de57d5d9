/// One input of the pipeline: a variable's name and where its file comes from.
public struct FetchSource: Sendable, Equatable {
    /// The variable (names the files in the data directory).
    public var variable: Variable
    /// An `http(s)://` URL or a local path; `.zip` or plain `.csv` (detected by content).
    public var location: String
    /// The CSV entry to use when the archive holds several (its path or file name).
    public var entry: String?

    /// Creates a source.
    public init(variable: Variable, location: String, entry: String? = nil) {
        self.variable = variable
        self.location = location
        self.entry = entry
    }

    /// The course's public files: the default sources (temperature and humidity; the other
    /// variables have no public default, their source is named on the command line, e.g. the
    /// data set's archive with `--pressure <zip> --pressure-entry pressure.csv`).
    public static let defaults: [FetchSource] = [
        FetchSource(variable: .temperature, location: "https://raw.githubusercontent.com/manuparra/MaterialCC2020/master/temperature.csv.zip"),
        FetchSource(variable: .humidity, location: "https://raw.githubusercontent.com/manuparra/MaterialCC2020/master/humidity.csv.zip"),
    ]

    /// The default source of `variable`, nil when it has none.
    public static func defaultSource(of variable: Variable) -> FetchSource? {
        defaults.first { $0.variable == variable }
    }

    /// Whether the location is an HTTP(S) URL.
    public var isRemote: Bool {
        let lower = location.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }
}

/// What fetch did with one source.
public struct FetchOutcome: Sendable, Equatable, Codable {
    /// What happened.
    public enum Status: String, Sendable, Codable {
        /// Downloaded (or copied) and extracted.
        case updated
        /// The server answered 304 Not Modified (ETag / Last-Modified).
        case notModified = "not-modified"
        /// Same bytes as last time (SHA-256); nothing re-extracted.
        case unchanged
    }

    /// The variable's name (`temperature`, `humidity`, `pressure`, `wind_speed`).
    public var variable: String
    /// The URL or path fetched.
    public var source: String
    /// What happened.
    public var status: Status
    /// The CSV ready for ingest.
    public var csvPath: String
    /// Bytes transferred (0 when not modified).
    public var bytesTransferred: Int
    /// SHA-256 of the source's bytes.
    public var sha256: String
    /// Attempts made (1 without retries).
    public var attempts: Int
    /// Wall time in seconds.
    public var seconds: Double
}

/// What fetch remembers about a source, beside the files: `<data>/<variable>.source.json`.
struct SourceRecord: Codable, Equatable {
    var source: String
    var sha256: String
    var etag: String?
    var lastModified: String?
}
