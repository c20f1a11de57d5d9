/// One hour of one city: the row the store keeps, one value per ``Variable``.
public struct Observation: Sendable, Equatable, Hashable {
    /// The city, as named in the source's header (e.g. `San Francisco`).
    public var city: String
    /// The hour, Unix seconds (UTC), a multiple of 3600.
    public var time: Int64
    /// One value per variable, at ``Variable/index``, in the variable's stored unit; nil
    /// when not observed.
    public var values: [Double?]

    /// Creates an observation of temperature and humidity (the other variables not observed).
    public init(city: String, time: Int64, temperature: Double?, humidity: Double?) {
        self.init(city: city, time: time, values: [.temperature: temperature, .humidity: humidity])
    }

    /// Creates an observation with the values of `values`; a variable not in it is not observed.
    public init(city: String, time: Int64, values: [Variable: Double?]) {
        self.city = city
        self.time = time
        var row = [Double?](repeating: nil, count: tableVariables.count)
        for (variable, value) in values { row[variable.index] = value }
        self.values = row
    }

    /// The value of `variable`, nil when not observed.
    public subscript(variable: Variable) -> Double? {
        get { values[variable.index] }
        set { values[variable.index] = newValue }
    }

    /// Temperature in kelvin, or nil when not observed.
    public var temperature: Double? {
        get { self[.temperature] }
        set { self[.temperature] = newValue }
    }

    /// Relative humidity in percent, or nil when not observed.
    public var humidity: Double? {
        get { self[.humidity] }
        set { self[.humidity] = newValue }
    }

    /// Whether any variable has a value (a row the store keeps).
    public var hasValue: Bool { values.contains { $0 != nil } }
}
