/// Rows to load as one column per variable and city on an hourly grid: what ingest
/// produces, kept in that shape so a large load needs no struct per row.
///
/// City `series[i]` covers the hours `start + 3600 * k` for `k` in its columns' indices;
/// NaN marks a value not observed, and an hour where every value is NaN is not a row.
/// The rows are the same ``Observation``s ``observations`` lists, in the same order: city
/// by city, oldest first. Building that array sat on the critical path before a load could
/// start (figures in bench/pipeline/README.md); both stores read the columns directly.
public struct ObservationBatch: Sendable {
    /// One city's hours, as one column per variable.
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

    /// The cities with at least one row, each once, in load order.
    public let series: [CitySeries]
    /// The number of rows (hours with at least one value) over every city.
    public let count: Int

    /// Creates a batch; when a city appears twice, the later series replaces the earlier
    /// one in its place (as two upserts one after the other would leave it). A city with
    /// no row is left out.
    public init(_ series: [CitySeries]) {
        var position: [String: Int] = [:]
        var unique: [CitySeries] = []
        for city in series {
            if let index = position[city.city] {
                unique[index] = city
            } else {
                position[city.city] = unique.count
                unique.append(city)
            }
        }
        let counts = unique.map(\.rowCount)
        self.series = unique.indices.filter { counts[$0] > 0 }.map { unique[$0] }
        count = counts.reduce(0, +)
    }

    /// Every row as an ``Observation``, city by city, oldest first.
    public var observations: [Observation] {
        var rows: [Observation] = []
        rows.reserveCapacity(count)
        for row in BatchRows(batch: self) {
            rows.append(row.observation(city: series[row.city].city))
        }
        return rows
    }
}

/// Which values of a stored hour ingest interpolated (bits of `city_observations.imputed`):
/// bit ``Variable/index`` for each variable (``Variable/imputedBit``).
///
/// A load writes an interpolated value only where the store has no measured one: a later
/// file's own gap filling never replaces a measurement, while a measured value replaces
/// an interpolated one.
public enum ImputedMask {
    /// The temperature was interpolated.
    public static let temperature: UInt8 = Variable.temperature.imputedBit
    /// The humidity was interpolated.
    public static let humidity: UInt8 = Variable.humidity.imputedBit
    /// Every variable's bit.
    public static let all: UInt8 = Variable.allCases.reduce(0) { $0 | $1.imputedBit }
}
