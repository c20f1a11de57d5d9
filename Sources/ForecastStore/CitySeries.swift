/// One city's hours as one column per variable on an hourly grid, missing hours as NaN,
/// with the marks of the values ingest interpolated: the shape the store writes
/// (``ObservationBatch``) and reads back (``ObservationStore/series(city:from:to:)``).
///
/// Kept in columns end to end: ingest builds them from the wide CSV's columns, and
/// training cuts a plugin's series straight out of them, so no struct per row is built on
/// either path (a 45,000-hour city would otherwise be 45,000 ``Observation``s there and back).
public struct CitySeries: Sendable {
    /// The city, as named in the source's header.
    public var city: String
    /// The hour of index 0, Unix seconds (UTC), a multiple of 3600.
    public var start: Int64
    /// The number of hours the columns cover.
    public let hours: Int
    /// One column per variable at ``Variable/index``, in its stored unit, NaN when not
    /// observed; an empty column: the variable is not observed at all.
    public private(set) var columns: [[Double]]
    /// Per hour, which of its values were interpolated rather than measured
    /// (``ImputedMask``); empty when none were.
    public var imputed: [UInt8]

    /// Creates a city's series of temperature and humidity; the columns must have the
    /// same length (`imputed` may be empty).
    public init(city: String, start: Int64, temperature: [Double], humidity: [Double], imputed: [UInt8] = []) {
        precondition(temperature.count == humidity.count, "the two columns of \(city) differ in length")
        self.init(city: city, start: start, columns: [.temperature: temperature, .humidity: humidity], imputed: imputed)
    }

    /// Creates a city's series from a column per variable (a variable left out is not
    /// observed); the columns must have the same length (`imputed` may be empty).
    public init(city: String, start: Int64, columns: [Variable: [Double]], imputed: [UInt8] = []) {
        let hours = columns.values.map(\.count).max() ?? 0
        precondition(columns.values.allSatisfy { $0.count == hours }, "the columns of \(city) differ in length")
        precondition(imputed.isEmpty || imputed.count == hours, "the imputed marks of \(city) differ in length")
        self.city = city
        self.start = start
        self.hours = hours
        var all = [[Double]](repeating: [], count: Variable.allCases.count)
        for (variable, column) in columns { all[variable.index] = column }
        self.columns = all
        self.imputed = imputed
    }

    /// The column of `variable` (empty when it is not observed); a new column must be
    /// empty or ``hours`` long.
    public subscript(variable: Variable) -> [Double] {
        get { columns[variable.index] }
        set {
            precondition(newValue.isEmpty || newValue.count == hours, "a column of \(city) differs in length")
            columns[variable.index] = newValue
        }
    }

    /// Temperature in kelvin per hour; NaN when not observed.
    public var temperature: [Double] {
        get { self[.temperature].isEmpty ? [Double](repeating: .nan, count: hours) : self[.temperature] }
        set { self[.temperature] = newValue }
    }

    /// Relative humidity in percent per hour; NaN when not observed.
    public var humidity: [Double] {
        get { self[.humidity].isEmpty ? [Double](repeating: .nan, count: hours) : self[.humidity] }
        set { self[.humidity] = newValue }
    }

    /// Whether hour `index` has at least one observed value.
    public func hasValue(at index: Int) -> Bool {
        for column in columns where !column.isEmpty && !column[index].isNaN { return true }
        return false
    }

    /// The number of hours with at least one observed value.
    public var rowCount: Int {
        var count = 0
        for index in 0..<hours where hasValue(at: index) { count += 1 }
        return count
    }
}


extension CitySeries {
    /// The hour of index `index`, Unix seconds.
    public func time(at index: Int) -> Int64 { start + Int64(index) * 3600 }

    /// The index of the hour `time`, nil when it lies outside the columns or between two hours.
    public func index(of time: Int64) -> Int? {
        let offset = time - start
        guard offset >= 0, offset % 3600 == 0, offset / 3600 < Int64(hours) else { return nil }
        return Int(offset / 3600)
    }

    /// The value of `variable` at hour `index`, nil when not observed.
    public func value(_ variable: Variable, at index: Int) -> Double? {
        let column = columns[variable.index]
        guard !column.isEmpty, !column[index].isNaN else { return nil }
        return column[index]
    }

    /// The ``ImputedMask`` bits of hour `index` (0: every value measured).
    public func imputedMarks(at index: Int) -> UInt8 { imputed.isEmpty ? 0 : imputed[index] }

    /// The hours with at least one value as rows, oldest first.
    public var observations: [Observation] {
        var rows: [Observation] = []
        for index in 0..<hours where hasValue(at: index) {
            var row = Observation(city: city, time: time(at: index), values: [:])
            for variable in tableVariables { row[variable] = value(variable, at: index) }
            rows.append(row)
        }
        return rows
    }

    /// The series of `city` holding the stored rows read in time order: hour `times[k]`
    /// has `values[v][k]` of `variables[v]` (NaN: not observed) and marks `marks[k]`
    /// (empty: none). A variable without any value gets an empty column; nil when there is
    /// no value. Both stores read through it, so their answers cannot differ in shape. The
    /// schema keeps every time a whole hour (`CHECK (time % 3600 = 0)`).
    init?(city: String, times: [Int64], variables: [Variable], values: [[Double]], marks: [UInt8]) {
        guard let first = times.first, let last = times.last else { return nil }
        let hours = Int((last - first) / 3600) + 1
        var columns: [Variable: [Double]] = [:]
        for (position, variable) in variables.enumerated() where values[position].contains(where: { !$0.isNaN }) {
            var column = [Double](repeating: .nan, count: hours)
            for (k, time) in times.enumerated() where (time - first) % 3600 == 0 { column[Int((time - first) / 3600)] = values[position][k] }
            columns[variable] = column
        }
        guard !columns.isEmpty else { return nil }
        var imputed: [UInt8] = []
        if marks.contains(where: { $0 != 0 }) {
            imputed = [UInt8](repeating: 0, count: hours)
            for (k, time) in times.enumerated() where (time - first) % 3600 == 0 { imputed[Int((time - first) / 3600)] = marks[k] }
        }
        self.init(city: city, start: first, columns: columns, imputed: imputed)
    }
}
