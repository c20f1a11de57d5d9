/// What ingest did with one city: rows read, kept, interpolated, dropped and why.
public struct CitySummary: Sendable, Equatable, Codable {
    /// The city.
    public var city: String
    /// Data rows read from the two files (the union of their hours).
    public var rowsRead: Int
    /// Hours between the files' first and last row (missing rows included).
    public var hoursSpanned: Int
    /// Rows written to the processed CSV and the store (an hour with at least one value).
    public var rowsKept: Int
    /// Hours dropped because neither variable has a value, by reason.
    public var dropped: DroppedRows
    /// The first and last kept hour (Unix seconds), nil when nothing was kept.
    public var firstTime: Int64?
    /// The last kept hour (Unix seconds).
    public var lastTime: Int64?
    /// Temperature details.
    public var temperature: VariableSummary
    /// Humidity details.
    public var humidity: VariableSummary
    /// The processed CSV written for the city, when one was written.
    public var processedPath: String?

    /// Hours dropped, by reason.
    public struct DroppedRows: Sendable, Equatable, Codable {
        /// Before the first observation of either variable.
        public var leadingEmpty = 0
        /// After the last observation of either variable.
        public var trailingEmpty = 0
        /// Inside a gap longer than the interpolation limit in both variables.
        public var longGap = 0

        /// Creates zero counts.
        public init() {}

        /// All dropped hours.
        public var total: Int { leadingEmpty + trailingEmpty + longGap }
    }
}
