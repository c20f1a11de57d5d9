/// One row of a load, its city given as an index into the rows' ``LoadRows/cities``.
struct LoadRow {
    var city: Int
    var time: Int64
    var temperature: Double?
    var humidity: Double?
    /// Which of the values were interpolated (``ImputedMask``).
    var imputed: UInt8 = 0
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
    /// The rows of the city at `index` in ``cities``, in their order.
    func rows(ofCity index: Int) -> CityRows
}

/// The rows of an ``ObservationBatch``.
struct BatchRows: LoadRows {
    let batch: ObservationBatch

    var cities: [String] { batch.series.map(\.city) }
    var count: Int { batch.count }

    /// The rows of one city of the batch.
    struct CityRows: Sequence {
        fileprivate let series: [ObservationBatch.CitySeries]
        fileprivate let city: Int

        func makeIterator() -> Iterator { Iterator(series, city..<(city + 1)) }
    }

    func rows(ofCity index: Int) -> CityRows { CityRows(series: batch.series, city: index) }

    /// The rows city by city, oldest first, skipping hours with neither value.
    struct Iterator: IteratorProtocol {
        private let series: [ObservationBatch.CitySeries]
        private let end: Int
        private var city: Int
        private var index = 0
        private var start: Int64 = 0
        private var temperature: [Double] = []
        private var humidity: [Double] = []
        private var imputed: [UInt8] = []

        fileprivate init(_ series: [ObservationBatch.CitySeries], _ cities: Range<Int>) {
            self.series = series
            city = cities.lowerBound - 1
            end = cities.upperBound
        }

        mutating func next() -> LoadRow? {
            while true {
                if index == temperature.count {
                    city += 1
                    guard city < end else { return nil }
                    temperature = series[city].temperature
                    humidity = series[city].humidity
                    imputed = series[city].imputed
                    start = series[city].start
                    index = 0
                    continue
                }
                let t = temperature[index], h = humidity[index]
                let time = start + Int64(index) * 3600
                let marks = imputed.isEmpty ? 0 : imputed[index]
                index += 1
                if t.isNaN && h.isNaN { continue }
                return LoadRow(city: city, time: time, temperature: t.isNaN ? nil : t, humidity: h.isNaN ? nil : h, imputed: marks)
            }
        }
    }

    func makeIterator() -> Iterator { Iterator(batch.series, batch.series.indices) }
}

/// A list of observations with one row per (city, time) (``Swift/Array/lastPerKey()``).
struct ObservationRows: LoadRows {
    let rows: [Observation]
    let cities: [String]
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
    }

    func rows(ofCity index: Int) -> LazyMapSequence<[Int], LoadRow> {
        positions[index].lazy.map { [rows] position in
            let row = rows[position]
            return LoadRow(city: index, time: row.time, temperature: row.temperature, humidity: row.humidity)
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
            return LoadRow(city: index, time: row.time, temperature: row.temperature, humidity: row.humidity)
        }
    }

    func makeIterator() -> Iterator { Iterator(rows, cityIndex) }
}
