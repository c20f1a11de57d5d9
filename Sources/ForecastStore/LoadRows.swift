/// One row of a load, its city given as an index into the rows' ``LoadRows/cities``.
struct LoadRow {
    /// The values of a row in place, one per variable at ``Variable/index`` (NaN: not
    /// observed): no array to allocate per row of a 1.6 M row load, and plain stored fields
    /// (an `InlineArray`'s generic subscript is a call per access in a debug build). One
    /// field per variable (checked by ``LoadRow/init(city:time:)``).
    struct Values {
        static let count = 4
        private var v0 = Double.nan, v1 = Double.nan, v2 = Double.nan, v3 = Double.nan

        subscript(index: Int) -> Double {
            get {
                switch index {
                case 0: v0
                case 1: v1
                case 2: v2
                default: v3
                }
            }
            set {
                switch index {
                case 0: v0 = newValue
                case 1: v1 = newValue
                case 2: v2 = newValue
                default: v3 = newValue
                }
            }
        }
    }

    var city: Int
    var time: Int64
    var values: Values
    /// Which of the values were interpolated (``ImputedMask``).
    var imputed: UInt8 = 0

    /// A row with no value yet.
    init(city: Int, time: Int64) {
        precondition(Values.count == tableVariables.count, "LoadRow.Values must hold one value per variable")
        self.city = city
        self.time = time
        values = Values()
    }

    /// The row of an observation.
    init(city: Int, observation: Observation) {
        self.init(city: city, time: observation.time)
        for index in observation.values.indices { values[index] = observation.values[index] ?? .nan }
    }

    /// The value of `variable`, nil when not observed.
    subscript(variable: Variable) -> Double? {
        let value = values[variable.index]
        return value.isNaN ? nil : value
    }

    /// The row as an observation of `city`.
    func observation(city: String) -> Observation {
        var observation = Observation(city: city, time: time, values: [:])
        for variable in tableVariables { observation[variable] = self[variable] }
        return observation
    }
}

/// Rows a load writes: those of an ``ObservationBatch`` or a list of ``Observation``s with
/// one row per key. A sequence with a plain iterator rather than a closure per row: the
/// closure's captures cost a retain and a release per row (a tenth of a 1.6 M row load).
protocol LoadRows: Sequence where Element == LoadRow {
    /// The rows of one city.
    associatedtype CityRows: Sequence where CityRows.Element == LoadRow
    /// The cities of the rows, each once, in order of first appearance.
    var cities: [String] { get }
    /// The number of rows.
    var count: Int { get }
    /// The variables some row has a value of, in table order: the columns a load writes
    /// (a load of temperature and humidity leaves the others' stored values untouched and
    /// pays for no more columns than it has).
    var variables: [Variable] { get }
    /// The rows of the city at `index` in ``cities``, in their order.
    func rows(ofCity index: Int) -> CityRows
}

/// The rows of an ``ObservationBatch``.
struct BatchRows: LoadRows {
    let batch: ObservationBatch

    var cities: [String] { batch.series.map(\.city) }
    var count: Int { batch.count }
    var variables: [Variable] { tableVariables.filter { variable in batch.series.contains { !$0[variable].isEmpty } } }

    /// The rows of one city of the batch.
    struct CityRows: Sequence {
        fileprivate let series: [ObservationBatch.CitySeries]
        fileprivate let city: Int

        func makeIterator() -> Iterator { Iterator(series, city..<(city + 1)) }
    }

    func rows(ofCity index: Int) -> CityRows { CityRows(series: batch.series, city: index) }

    /// The rows city by city, oldest first, skipping hours with no value.
    struct Iterator: IteratorProtocol {
        private let series: [ObservationBatch.CitySeries]
        private let end: Int
        private var city: Int
        private var index = 0
        private var hours = 0
        private var start: Int64 = 0
        /// The current city's columns of observed variables, and their variables' indices.
        private var columns: [[Double]] = []
        private var variables: [Int] = []
        private var imputed: [UInt8] = []

        fileprivate init(_ series: [ObservationBatch.CitySeries], _ cities: Range<Int>) {
            self.series = series
            city = cities.lowerBound - 1
            end = cities.upperBound
        }

        mutating func next() -> LoadRow? {
            while true {
                if index == hours {
                    city += 1
                    guard city < end else { return nil }
                    let current = series[city]
                    variables = current.columns.indices.filter { !current.columns[$0].isEmpty }
                    columns = variables.map { current.columns[$0] }
                    hours = current.hours
                    imputed = current.imputed
                    start = current.start
                    index = 0
                    continue
                }
                var row = LoadRow(city: city, time: start + Int64(index) * 3600)
                var observed = false
                for position in 0..<columns.count {
                    let value = columns[position][index]
                    if !value.isNaN {
                        row.values[variables[position]] = value
                        observed = true
                    }
                }
                row.imputed = imputed.isEmpty ? 0 : imputed[index]
                index += 1
                if observed { return row }
            }
        }
    }

    func makeIterator() -> Iterator { Iterator(batch.series, batch.series.indices) }
}

/// A list of observations with one row per (city, time) (``Swift/Array/lastPerKey()``).
struct ObservationRows: LoadRows {
    let rows: [Observation]
    let cities: [String]
    let variables: [Variable]
    private let cityIndex: [String: Int]
    /// The positions in `rows` of each city's rows.
    private let positions: [[Int]]

    /// Wraps `rows`, which must not repeat a (city, time) key.
    init(_ rows: [Observation]) {
        self.rows = rows
        var cities: [String] = []
        var cityIndex: [String: Int] = [:]
        var positions: [[Int]] = []
        var previous: String?, current = 0
        for (position, row) in rows.enumerated() {
            if row.city != previous {
                previous = row.city
                if let known = cityIndex[row.city] {
                    current = known
                } else {
                    current = cities.count
                    cityIndex[row.city] = current
                    cities.append(row.city)
                    positions.append([])
                }
            }
            positions[current].append(position)
        }
        self.cities = cities
        self.cityIndex = cityIndex
        self.positions = positions
        var observed = [Bool](repeating: false, count: tableVariables.count)
        for row in rows {
            for index in row.values.indices where row.values[index] != nil { observed[index] = true }
        }
        variables = tableVariables.filter { observed[$0.index] }
    }

    func rows(ofCity index: Int) -> LazyMapSequence<[Int], LoadRow> {
        positions[index].lazy.map { [rows] position in
            let row = rows[position]
            return LoadRow(city: index, observation: row)
        }
    }

    var count: Int { rows.count }

    /// The rows in order, each with its city's index.
    struct Iterator: IteratorProtocol {
        private let rows: [Observation]
        private let cityIndex: [String: Int]
        private var position = 0
        private var current: String?
        private var index = 0

        fileprivate init(_ rows: [Observation], _ cityIndex: [String: Int]) {
            self.rows = rows
            self.cityIndex = cityIndex
        }

        mutating func next() -> LoadRow? {
            guard position < rows.count else { return nil }
            let row = rows[position]
            position += 1
            // Rows mostly come in city blocks: look the index up when the city changes.
            if row.city != current {
                current = row.city
                index = cityIndex[row.city]!
            }
            return LoadRow(city: index, observation: row)
        }
    }

    func makeIterator() -> Iterator { Iterator(rows, cityIndex) }
}
