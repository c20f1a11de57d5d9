import Dispatch
import Foundation
import ForecastStore
import PluginHost

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

        var summaries: [CitySummary] = []
        var observations: [Observation] = []
        observations.reserveCapacity(hours * temperature.cities.count)
        for (column, city) in temperature.cities.enumerated() {
            var temperatureGrid = [Double](repeating: .nan, count: hours)
            for (row, index) in temperatureIndex.enumerated() { temperatureGrid[index] = temperature.columns[column][row] }
            var humidityGrid = [Double](repeating: .nan, count: hours)
            let other = humidity.columns[humidityColumn[city]!]
            for (row, index) in humidityIndex.enumerated() { humidityGrid[index] = other[row] }
            let temperatureSummary = gapPolicy.apply(to: &temperatureGrid, start: start)
            let humiditySummary = gapPolicy.apply(to: &humidityGrid, start: start)

            var summary = CitySummary(city: city, rowsRead: rowsRead, hoursSpanned: hours, rowsKept: 0,
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
            summaries.append(summary)
            observations.append(contentsOf: cityRows)
        }
        return Result(summaries: summaries, observations: observations)
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

/// Two results written by two threads, read after both finished.
private final class ResultPair: @unchecked Sendable {
    // @unchecked: each slot is written by exactly one thread, and read only after
    // concurrentPerform has returned (which orders the writes before the reads).
    private var slots: [Result<WideTable, PipelineError>?] = [nil, nil]

    func set(_ index: Int, _ value: Result<WideTable, PipelineError>) { slots[index] = value }

    func get(_ index: Int) throws(PipelineError) -> WideTable { try slots[index]!.get() }
}
