/// One row of a load, its city given as an index into the rows' ``BatchRows/cities``.
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

    /// The value of `variable`, nil when not observed.
    subscript(variable: Variable) -> Double? {
        let value = values[variable.index]
        return value.isNaN ? nil : value
    }
}

/// The rows a load writes: those of an ``ObservationBatch`` (the one write path), city by
/// city, oldest first. A sequence with a plain iterator rather than a closure per row: the
/// closure's captures cost a retain and a release per row (a tenth of a 1.6 M row load).
struct BatchRows: Sequence {
    let batch: ObservationBatch

    /// The cities of the rows, each once, in load order.
    var cities: [String] { batch.series.map(\.city) }
    /// The number of rows.
    var count: Int { batch.count }
    /// The variables some row has a value of, in table order: the columns a load writes
    /// (a load of temperature and humidity leaves the others' stored values untouched and
    /// pays for no more columns than it has).
    var variables: [Variable] { tableVariables.filter { variable in batch.series.contains { !$0[variable].isEmpty } } }

    /// The rows of one city of the batch.
    struct CityRows: Sequence {
        fileprivate let series: [CitySeries]
        fileprivate let city: Int

        func makeIterator() -> Iterator { Iterator(series, city..<(city + 1)) }
    }

    /// The rows of the city at `index` in ``cities``, oldest first.
    func rows(ofCity index: Int) -> CityRows { CityRows(series: batch.series, city: index) }

    /// The rows city by city, oldest first, skipping hours with no value.
    struct Iterator: IteratorProtocol {
        private let series: [CitySeries]
        private let end: Int
        private var city: Int
        private var index = 0
        private var hours = 0
        private var start: Int64 = 0
        /// The current city's columns of observed variables, and their variables' indices.
        private var columns: [[Double]] = []
        private var variables: [Int] = []
        private var imputed: [UInt8] = []

        fileprivate init(_ series: [CitySeries], _ cities: Range<Int>) {
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
