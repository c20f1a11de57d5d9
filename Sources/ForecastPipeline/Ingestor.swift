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
    /// What messages call the temperature file (nil: its path), e.g. the URL a staged file came from.
    public var temperatureName: String?
    /// What messages call the humidity file (nil: its path).
    public var humidityName: String?

    /// Creates an ingest step.
    public init(temperaturePath: String, humidityPath: String, selection: CitySelection = .named(["San Francisco"]),
                gapPolicy: GapPolicy = GapPolicy(), processedDirectory: String? = nil,
                temperatureName: String? = nil, humidityName: String? = nil) {
        self.temperatureName = temperatureName
        self.humidityName = humidityName
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
        /// The rows to load, as each city's two columns on the hourly grid.
        public var batch: ObservationBatch

        /// The rows to load as a list, city by city, oldest first (built on each call).
        public var observations: [Observation] { batch.observations }
    }

    /// Reads, validates, joins and cleans; writes the processed CSVs.
    public func run() throws(PipelineError) -> Result {
        let processed = try process()
        try processed.writeFiles()
        return processed.result
    }

    /// Cleaned rows whose processed CSVs are not written yet: ``writeFiles()`` writes them
    /// (`forecast ingest` does so while the store loads the rows).
    public struct Processed: Sendable {
        /// The summaries (each naming the processed CSV it will have) and the rows to load.
        public var result: Result
        fileprivate var grids: [CityGrid]
        fileprivate var start: Int64
        fileprivate var directory: String?

        /// Writes every city's processed CSV (atomically), `concurrently` on every core or
        /// one after the other (beside a load, which then keeps a core to itself).
        public func writeFiles(concurrently: Bool = true) throws(PipelineError) {
            guard let directory else { return }
            let grids = grids, start = start
            if !concurrently {
                for grid in grids {
                    try ProcessedCSV.write(start: start, temperature: grid.temperature, humidity: grid.humidity,
                                           to: Ingestor.processedPath(directory, grid.summary.city))
                }
                return
            }
            let outcomes = ParallelResults<Void, PipelineError>(count: grids.count)
            DispatchQueue.concurrentPerform(iterations: grids.count) { index in
                outcomes.set(index, Swift.Result { () throws(PipelineError) in
                    try ProcessedCSV.write(start: start, temperature: grids[index].temperature, humidity: grids[index].humidity,
                                           to: Ingestor.processedPath(directory, grids[index].summary.city))
                })
            }
            for index in grids.indices { try outcomes.get(index) }
        }
    }

    /// Where a city's processed CSV goes.
    fileprivate static func processedPath(_ directory: String, _ city: String) -> String {
        "\(directory)/\(ModelRepository.slug(city)).csv"
    }

    /// Reads, validates, joins and cleans, without writing anything.
    public func process() throws(PipelineError) -> Processed {
        let (temperature, humidity) = try readBoth()
        for table in [temperature, humidity] where table.rowCount == 0 {
            throw PipelineError(.data, "\(table.path) has a header but no data rows (an empty export or a download cut short?); nothing was loaded, the store is unchanged")
        }
        var humidityColumn: [String: Int] = [:]
        for (index, city) in humidity.cities.enumerated() { humidityColumn[city] = index }
        for city in temperature.cities where humidityColumn[city] == nil {
            throw PipelineError(.data, "\(humidity.path): no column '\(city)' (it is in \(temperature.path)); the file has: \(WideCSVReader.quoted(humidity.headerCities.joined(separator: ", "), limit: 400))")
        }
        let start = min(temperature.times[0], humidity.times[0])
        let end = max(temperature.times[temperature.times.count - 1], humidity.times[humidity.times.count - 1])
        let hours = Int((end - start) / 3600) + 1
        let rowsRead = Self.unionCount(temperature.times, humidity.times)
        let temperatureIndex = temperature.times.map { Int(($0 - start) / 3600) }
        let humidityIndex = humidity.times.map { Int(($0 - start) / 3600) }

        // Cities are independent: process them in parallel, keep selection order.
        let context = CityContext(temperature: temperature, humidity: humidity, humidityColumn: humidityColumn,
                                  start: start, hours: hours, rowsRead: rowsRead,
                                  temperatureIndex: temperatureIndex, humidityIndex: humidityIndex)
        let perCity = ParallelResults<CityGrid, PipelineError>(count: temperature.cities.count)
        DispatchQueue.concurrentPerform(iterations: temperature.cities.count) { column in
            perCity.set(column, .success(processCity(column, context)))
        }
        var grids: [CityGrid] = []
        for column in 0..<temperature.cities.count { grids.append(try perCity.get(column)) }
        // The rows stay in the grids' columns: a struct per row delayed the load's start (bench/pipeline/README.md).
        let batch = ObservationBatch(grids.map {
            ObservationBatch.CitySeries(city: $0.summary.city, start: start, temperature: $0.temperature, humidity: $0.humidity,
                                        imputed: $0.imputed)
        })
        return Processed(result: Result(summaries: grids.map(\.summary), batch: batch),
                         grids: grids, start: start, directory: processedDirectory)
    }

    /// One city after cleaning: its summary and both variables on the hourly grid from
    /// the files' first hour (NaN = missing; an hour is kept when either has a value).
    fileprivate struct CityGrid: Sendable {
        var summary: CitySummary
        var temperature: [Double]
        var humidity: [Double]
        /// Per hour, which values were interpolated (``ImputedMask``); empty when none were.
        var imputed: [UInt8]
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

    /// Grids, fills and trims one city.
    private func processCity(_ column: Int, _ context: CityContext) -> CityGrid {
        let city = context.temperature.cities[column]
        let hours = context.hours, start = context.start
        var temperatureGrid = [Double](repeating: .nan, count: hours)
        let own = context.temperature.columns[column]
        for (row, index) in context.temperatureIndex.enumerated() { temperatureGrid[index] = own[row] }
        var humidityGrid = [Double](repeating: .nan, count: hours)
        let other = context.humidity.columns[context.humidityColumn[city]!]
        for (row, index) in context.humidityIndex.enumerated() { humidityGrid[index] = other[row] }
        let missingTemperature = temperatureGrid.map(\.isNaN), missingHumidity = humidityGrid.map(\.isNaN)
        let temperatureSummary = gapPolicy.apply(to: &temperatureGrid, start: start)
        let humiditySummary = gapPolicy.apply(to: &humidityGrid, start: start)
        // The hours the gap policy filled, so the store can tell them from measured ones.
        var imputed: [UInt8] = []
        if temperatureSummary.interpolated + humiditySummary.interpolated > 0 {
            imputed = [UInt8](repeating: 0, count: hours)
            for index in 0..<hours {
                if missingTemperature[index] && !temperatureGrid[index].isNaN { imputed[index] |= ImputedMask.temperature }
                if missingHumidity[index] && !humidityGrid[index].isNaN { imputed[index] |= ImputedMask.humidity }
            }
        }

        var summary = CitySummary(city: city, rowsRead: context.rowsRead, hoursSpanned: hours, rowsKept: 0,
                                  dropped: CitySummary.DroppedRows(), temperature: temperatureSummary,
                                  humidity: humiditySummary)
        let firstObserved = [temperatureSummary.firstTime, humiditySummary.firstTime].compactMap { $0 }.min()
        let lastObserved = [temperatureSummary.lastTime, humiditySummary.lastTime].compactMap { $0 }.max()
        for index in 0..<hours {
            guard temperatureGrid[index].isNaN && humidityGrid[index].isNaN else {
                let time = start + Int64(index) * 3600
                if summary.firstTime == nil { summary.firstTime = time }
                summary.lastTime = time
                summary.rowsKept += 1
                continue
            }
            let time = start + Int64(index) * 3600
            if firstObserved == nil || time < firstObserved! {
                summary.dropped.leadingEmpty += 1
            } else if time > lastObserved! {
                summary.dropped.trailingEmpty += 1
            } else {
                summary.dropped.longGap += 1
            }
        }
        summary.processedPath = processedDirectory.map { Self.processedPath($0, city) }
        return CityGrid(summary: summary, temperature: temperatureGrid, humidity: humidityGrid, imputed: imputed)
    }

    /// Reads the two files on two threads.
    private func readBoth() throws(PipelineError) -> (WideTable, WideTable) {
        let results = ParallelResults<WideTable, PipelineError>(count: 2)
        let selection = selection
        let paths = [(temperaturePath, Variable.temperature, temperatureName), (humidityPath, Variable.humidity, humidityName)]
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let (path, variable, name) = paths[index]
            results.set(index, Swift.Result { () throws(PipelineError) -> WideTable in
                try WideCSVReader.read(path: path, variable: variable, selection: selection, name: name)
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
