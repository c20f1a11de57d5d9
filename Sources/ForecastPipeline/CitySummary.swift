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
    /// Details of each ingested variable (encoded as one key per variable: `temperature`, `humidity`, ...).
    public var variables: [Variable: VariableSummary]
    /// The processed CSV written for the city, when one was written.
    public var processedPath: String?

    /// Creates a summary of the ingested `variables`.
    public init(city: String, rowsRead: Int, hoursSpanned: Int, rowsKept: Int, dropped: DroppedRows,
                firstTime: Int64? = nil, lastTime: Int64? = nil, variables: [Variable: VariableSummary],
                processedPath: String? = nil) {
        self.city = city
        self.rowsRead = rowsRead
        self.hoursSpanned = hoursSpanned
        self.rowsKept = rowsKept
        self.dropped = dropped
        self.firstTime = firstTime
        self.lastTime = lastTime
        self.variables = variables
        self.processedPath = processedPath
    }

    /// Creates a summary of temperature and humidity.
    public init(city: String, rowsRead: Int, hoursSpanned: Int, rowsKept: Int, dropped: DroppedRows,
                firstTime: Int64? = nil, lastTime: Int64? = nil, temperature: VariableSummary,
                humidity: VariableSummary, processedPath: String? = nil) {
        self.init(city: city, rowsRead: rowsRead, hoursSpanned: hoursSpanned, rowsKept: rowsKept, dropped: dropped,
                  firstTime: firstTime, lastTime: lastTime, variables: [.temperature: temperature, .humidity: humidity],
                  processedPath: processedPath)
    }

    /// Temperature details (empty when temperature was not ingested).
    public var temperature: VariableSummary { variables[.temperature] ?? VariableSummary() }
    /// Humidity details (empty when humidity was not ingested).
    public var humidity: VariableSummary { variables[.humidity] ?? VariableSummary() }

    /// The ingested variables, in table order.
    public var ingestedVariables: [Variable] { Variable.allCases.filter { variables[$0] != nil } }

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

extension CitySummary {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Each variable's details under the variable's name, beside the other fields: the
    /// JSON `forecast ingest --json` has always written for temperature and humidity.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(city, forKey: Key("city"))
        try container.encode(rowsRead, forKey: Key("rowsRead"))
        try container.encode(hoursSpanned, forKey: Key("hoursSpanned"))
        try container.encode(rowsKept, forKey: Key("rowsKept"))
        try container.encode(dropped, forKey: Key("dropped"))
        try container.encodeIfPresent(firstTime, forKey: Key("firstTime"))
        try container.encodeIfPresent(lastTime, forKey: Key("lastTime"))
        for variable in ingestedVariables { try container.encode(variables[variable], forKey: Key(variable.name)) }
        try container.encodeIfPresent(processedPath, forKey: Key("processedPath"))
    }

    /// Reads what ``encode(to:)`` writes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var variables: [Variable: VariableSummary] = [:]
        for variable in Variable.allCases {
            variables[variable] = try container.decodeIfPresent(VariableSummary.self, forKey: Key(variable.name))
        }
        self.init(city: try container.decode(String.self, forKey: Key("city")),
                  rowsRead: try container.decode(Int.self, forKey: Key("rowsRead")),
                  hoursSpanned: try container.decode(Int.self, forKey: Key("hoursSpanned")),
                  rowsKept: try container.decode(Int.self, forKey: Key("rowsKept")),
                  dropped: try container.decode(DroppedRows.self, forKey: Key("dropped")),
                  firstTime: try container.decodeIfPresent(Int64.self, forKey: Key("firstTime")),
                  lastTime: try container.decodeIfPresent(Int64.self, forKey: Key("lastTime")),
                  variables: variables,
                  processedPath: try container.decodeIfPresent(String.self, forKey: Key("processedPath")))
    }
}
