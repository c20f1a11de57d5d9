import Dispatch
import Foundation
import ForecastStore
import PluginHost
import Synchronization

/// The process step: two wide CSVs in, one cleaned hourly series per city out.
///
/// Reads both files in parallel, keeps the selected cities, joins the two variables on
/// time, fills short gaps (``GapPolicy``), trims empty ends, writes
/// `<processed>/<city-slug>.csv` (`datetime,temperature,humidity`) per city, and
/// returns the rows to load. Nothing is written when any check fails.
public struct Ingestor: Sendable {
    /// The temperature CSV.
    public var temperaturePath: String
    /// The humidity CSV.
    public var humidityPath: String
    /// Which cities to keep.
    public var selection: CitySelection
    /// How gaps are treated.
    public var gapPolicy: GapPolicy
    /// Where processed CSVs go (nil: none are written).
    public var processedDirectory: String?

    /// Creates an ingest step.
    public init(temperaturePath: String, humidityPath: String, selection: CitySelection = .named(["San Francisco"]),
                gapPolicy: GapPolicy = GapPolicy(), processedDirectory: String? = nil) {
        self.temperaturePath = temperaturePath
        self.humidityPath = humidityPath
        self.selection = selection
        self.gapPolicy = gapPolicy
        self.processedDirectory = processedDirectory
    }

    /// The outcome: a summary per city and every row to load.
    public struct Result: Sendable {
        /// One summary per selected city, in selection order.
        public var summaries: [CitySummary]
        /// The rows to load, city by city, oldest first.
        public var observations: [Observation]
    }

    /// Reads, validates, joins and cleans; writes the processed CSVs.
    public func run() throws(PipelineError) -> Result {
        let (temperature, humidity) = try readBoth()
        var humidityColumn: [String: Int] = [:]
        for (index, city) in humidity.cities.enumerated() { humidityColumn[city] = index }
        for city in temperature.cities where humidityColumn[city] == nil {
            throw PipelineError(.data, "\(humidity.path): no column '\(city)' (it is in \(temperature.path)); the file has: \(humidity.headerCities.joined(separator: ", "))")
        }
        guard let start = [temperature.times.first, humidity.times.first].compactMap({ $0 }).min(),
              let end = [temperature.times.last, humidity.times.last].compactMap({ $0 }).max() else {
            throw PipelineError(.data, "\(temperature.path) and \(humidity.path) have no data rows")
        }
        let hours = Int((end - start) / 3600) + 1
        let rowsRead = Self.unionCount(temperature.times, humidity.times)
        let temperatureIndex = temperature.times.map { Int(($0 - start) / 3600) }
        let humidityIndex = humidity.times.map { Int(($0 - start) / 3600) }

        // Cities are independent: process them in parallel, keep selection order.
        let context = CityContext(temperature: temperature, humidity: humidity, humidityColumn: humidityColumn,
                                  start: start, hours: hours, rowsRead: rowsRead,
                                  temperatureIndex: temperatureIndex, humidityIndex: humidityIndex)
        let perCity = CityResults(count: temperature.cities.count)
        DispatchQueue.concurrentPerform(iterations: temperature.cities.count) { column in
            perCity.set(column, Swift.Result { () throws(PipelineError) -> (CitySummary, [Observation]) in
                try processCity(column, context)
            })
        }
        var summaries: [CitySummary] = []
        var observations: [Observation] = []
        observations.reserveCapacity(hours * temperature.cities.count)
        for column in 0..<temperature.cities.count {
            let (summary, rows) = try perCity.get(column)
            summaries.append(summary)
            observations.append(contentsOf: rows)
        }
        return Result(summaries: summaries, observations: observations)
    }

    /// What every city's processing reads.
    private struct CityContext: Sendable {
        var temperature: WideTable
        var humidity: WideTable
        var humidityColumn: [String: Int]
        var start: Int64
        var hours: Int
        var rowsRead: Int
        var temperatureIndex: [Int]
        var humidityIndex: [Int]
    }

    /// Grids, fills and trims one city; writes its processed CSV.
    private func processCity(_ column: Int, _ context: CityContext) throws(PipelineError) -> (CitySummary, [Observation]) {
        let city = context.temperature.cities[column]
        let hours = context.hours, start = context.start
        var temperatureGrid = [Double](repeating: .nan, count: hours)
        let own = context.temperature.columns[column]
        for (row, index) in context.temperatureIndex.enumerated() { temperatureGrid[index] = own[row] }
        var humidityGrid = [Double](repeating: .nan, count: hours)
        let other = context.humidity.columns[context.humidityColumn[city]!]
        for (row, index) in context.humidityIndex.enumerated() { humidityGrid[index] = other[row] }
        let temperatureSummary = gapPolicy.apply(to: &temperatureGrid, start: start)
        let humiditySummary = gapPolicy.apply(to: &humidityGrid, start: start)

        var summary = CitySummary(city: city, rowsRead: context.rowsRead, hoursSpanned: hours, rowsKept: 0,
                                  dropped: CitySummary.DroppedRows(), temperature: temperatureSummary,
                                  humidity: humiditySummary)
        let firstObserved = [temperatureSummary.firstTime, humiditySummary.firstTime].compactMap { $0 }.min()
        let lastObserved = [temperatureSummary.lastTime, humiditySummary.lastTime].compactMap { $0 }.max()
        var cityRows: [Observation] = []
        cityRows.reserveCapacity(hours)
        for index in 0..<hours {
            let time = start + Int64(index) * 3600
            let t = temperatureGrid[index], h = humidityGrid[index]
            if t.isNaN && h.isNaN {
                if firstObserved == nil || time < firstObserved! {
                    summary.dropped.leadingEmpty += 1
                } else if time > lastObserved! {
                    summary.dropped.trailingEmpty += 1
                } else {
                    summary.dropped.longGap += 1
                }
                continue
            }
            cityRows.append(Observation(city: city, time: time, temperature: t.isNaN ? nil : t, humidity: h.isNaN ? nil : h))
        }
        summary.rowsKept = cityRows.count
        summary.firstTime = cityRows.first?.time
        summary.lastTime = cityRows.last?.time
        if let processedDirectory {
            let path = "\(processedDirectory)/\(ModelRepository.slug(city)).csv"
            try ProcessedCSV.write(cityRows, to: path)
            summary.processedPath = path
        }
        return (summary, cityRows)
    }

    /// Reads the two files on two threads.
    private func readBoth() throws(PipelineError) -> (WideTable, WideTable) {
        let results = ResultPair()
        let selection = selection
        let paths = [(temperaturePath, Variable.temperature), (humidityPath, Variable.humidity)]
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let (path, variable) = paths[index]
            results.set(index, Swift.Result { () throws(PipelineError) -> WideTable in
                try WideCSVReader.read(path: path, variable: variable, selection: selection)
            })
        }
        return (try results.get(0), try results.get(1))
    }

    /// Number of distinct values in two sorted arrays.
    static func unionCount(_ a: [Int64], _ b: [Int64]) -> Int {
        var i = 0, j = 0, count = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i] < b[j]) { i += 1 } else if i == a.count || b[j] < a[i] { j += 1 } else { i += 1; j += 1 }
            count += 1
        }
        return count
    }
}

/// One slot per parallel task, written once each, read after all have finished.
private final class CityResults: Sendable {
    private let slots: Mutex<[Result<(CitySummary, [Observation]), PipelineError>?]>

    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

    func set(_ index: Int, _ value: Result<(CitySummary, [Observation]), PipelineError>) {
        slots.withLock { $0[index] = value }
    }

    func get(_ index: Int) throws(PipelineError) -> (CitySummary, [Observation]) {
        try slots.withLock { $0[index]! }.get()
    }
}

/// The two files' tables, each written by one thread, read after both finished.
private final class ResultPair: Sendable {
    private let slots = Mutex<[Result<WideTable, PipelineError>?]>([nil, nil])

    func set(_ index: Int, _ value: Result<WideTable, PipelineError>) { slots.withLock { $0[index] = value } }

    func get(_ index: Int) throws(PipelineError) -> WideTable { try slots.withLock { $0[index]! }.get() }
}
