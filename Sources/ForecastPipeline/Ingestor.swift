import ForecastVocabulary
import Dispatch
import Foundation
import ForecastStore
import ModelFiles

/// One input of ingest: a variable and its wide CSV.
public struct IngestInput: Sendable, Equatable {
    /// The variable the file holds.
    public var variable: Variable
    /// The CSV.
    public var path: String
    /// What messages call the file (nil: its path), e.g. the URL a staged file came from.
    public var name: String?

    /// Creates an input.
    public init(variable: Variable, path: String, name: String? = nil) {
        self.variable = variable
        self.path = path
        self.name = name
    }

    /// The file as messages name it.
    public var shownName: String { name ?? path }
}

/// The process step: one wide CSV per variable in, one cleaned hourly series per city out.
///
/// Reads the files in parallel (any set of variables: a user with only a humidity file
/// ingests humidity), keeps the selected cities, joins the variables on time, fills short
/// gaps (``GapPolicy``), trims empty ends, writes `<processed>/<city-slug>.csv`
/// (`datetime,temperature,humidity,...`, the ingested variables) per city, and returns the
/// rows to load. Nothing is written when any check fails.
public struct Ingestor: Sendable {
    /// The files, one per variable, in table order.
    public private(set) var inputs: [IngestInput]
    /// Which cities to keep.
    public var selection: CitySelection
    /// How gaps are treated.
    public var gapPolicy: GapPolicy
    /// Where processed CSVs go (nil: none are written).
    public var processedDirectory: String?

    /// Creates an ingest step of `inputs` (at least one; one per variable).
    public init(inputs: [IngestInput], selection: CitySelection = .named(["San Francisco"]),
                gapPolicy: GapPolicy = GapPolicy(), processedDirectory: String? = nil) {
        precondition(!inputs.isEmpty, "ingest needs at least one file")
        precondition(Set(inputs.map(\.variable)).count == inputs.count, "ingest takes one file per variable")
        self.inputs = inputs.sorted { $0.variable.index < $1.variable.index }
        self.selection = selection
        self.gapPolicy = gapPolicy
        self.processedDirectory = processedDirectory
    }

    /// Creates an ingest step of a temperature and a humidity file.
    public init(temperaturePath: String, humidityPath: String, selection: CitySelection = .named(["San Francisco"]),
                gapPolicy: GapPolicy = GapPolicy(), processedDirectory: String? = nil,
                temperatureName: String? = nil, humidityName: String? = nil) {
        self.init(inputs: [IngestInput(variable: .temperature, path: temperaturePath, name: temperatureName),
                           IngestInput(variable: .humidity, path: humidityPath, name: humidityName)],
                  selection: selection, gapPolicy: gapPolicy, processedDirectory: processedDirectory)
    }

    /// The ingested variables, in table order.
    public var variables: [Variable] { inputs.map(\.variable) }

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
        fileprivate var variables: [Variable]

        /// Writes every city's processed CSV (atomically), `concurrently` on every core or
        /// one after the other (beside a load, which then keeps a core to itself).
        public func writeFiles(concurrently: Bool = true) throws(PipelineError) {
            guard let directory else { return }
            let grids = grids, start = start, variables = variables
            if !concurrently {
                for grid in grids {
                    try ProcessedCSV.write(start: start, variables: variables, columns: grid.columns,
                                           to: Ingestor.processedPath(directory, grid.summary.city))
                }
                return
            }
            let outcomes = ParallelResults<Void, PipelineError>(count: grids.count)
            DispatchQueue.concurrentPerform(iterations: grids.count) { index in
                outcomes.set(index, Swift.Result { () throws(PipelineError) in
                    try ProcessedCSV.write(start: start, variables: variables, columns: grids[index].columns,
                                           to: Ingestor.processedPath(directory, grids[index].summary.city))
                })
            }
            for index in grids.indices { try outcomes.get(index) }
        }
    }

    /// Where a city's processed CSV goes.
    fileprivate static func processedPath(_ directory: String, _ city: String) -> String {
        "\(directory)/\(CityName.slug(city)).csv"
    }

    /// Reads, validates, joins and cleans, without writing anything.
    public func process() throws(PipelineError) -> Processed {
        let tables = try readAll()
        for table in tables where table.rowCount == 0 {
            throw PipelineError(.data, "\(table.path) has a header but no data rows (an empty export or a download cut short?); nothing was loaded, the store is unchanged")
        }
        // The first file's cities are the cities; every other file must have them.
        let primary = tables[0]
        var columnOf = [[String: Int]](repeating: [:], count: tables.count)
        for (position, table) in tables.enumerated() {
            for (index, city) in table.cities.enumerated() { columnOf[position][city] = index }
            for city in primary.cities where columnOf[position][city] == nil {
                throw PipelineError(.data, "\(table.path): no column '\(city)' (it is in \(primary.path)); the file has: \(WideCSVReader.quoted(table.headerCities.joined(separator: ", "), limit: 400))")
            }
        }
        let start = tables.map { $0.times[0] }.min()!
        let end = tables.map { $0.times[$0.times.count - 1] }.max()!
        let hours = Int((end - start) / 3600) + 1
        let rowsRead = tables.dropFirst().reduce(primary.times) { Self.union($0, $1.times) }.count
        let gridIndex = tables.map { table in table.times.map { Int(($0 - start) / 3600) } }

        // Cities are independent: process them in parallel, keep selection order.
        let context = CityContext(tables: tables, columnOf: columnOf, start: start, hours: hours, rowsRead: rowsRead,
                                  gridIndex: gridIndex)
        let perCity = ParallelResults<CityGrid, PipelineError>(count: primary.cities.count)
        DispatchQueue.concurrentPerform(iterations: primary.cities.count) { column in
            perCity.set(column, .success(processCity(column, context)))
        }
        var grids: [CityGrid] = []
        for column in 0..<primary.cities.count { grids.append(try perCity.get(column)) }
        // The rows stay in the grids' columns: a struct per row delayed the load's start (bench/pipeline/README.md).
        let variables = variables
        let batch = ObservationBatch(grids.map { grid in
            CitySeries(city: grid.summary.city, start: start,
                                        columns: Dictionary(uniqueKeysWithValues: zip(variables, grid.columns)),
                                        imputed: grid.imputed)
        })
        return Processed(result: Result(summaries: grids.map(\.summary), batch: batch),
                         grids: grids, start: start, directory: processedDirectory, variables: variables)
    }

    /// One city after cleaning: its summary and each variable on the hourly grid from the
    /// files' first hour (NaN = missing; an hour is kept when any has a value).
    fileprivate struct CityGrid: Sendable {
        var summary: CitySummary
        /// One column per ingested variable, in ``Ingestor/variables`` order.
        var columns: [[Double]]
        /// Per hour, which values were interpolated (``ImputedMask``); empty when none were.
        var imputed: [UInt8]
    }

    /// What every city's processing reads.
    private struct CityContext: Sendable {
        /// One table per input, in input order.
        var tables: [WideTable]
        /// Per table, the column of each city.
        var columnOf: [[String: Int]]
        var start: Int64
        var hours: Int
        var rowsRead: Int
        /// Per table, the grid index of each of its rows.
        var gridIndex: [[Int]]
    }

    /// Grids, fills and trims one city.
    private func processCity(_ column: Int, _ context: CityContext) -> CityGrid {
        let city = context.tables[0].cities[column]
        let hours = context.hours, start = context.start
        var grids: [[Double]] = []
        var summaries: [VariableSummary] = []
        var imputed: [UInt8] = []
        for (position, table) in context.tables.enumerated() {
            var grid = [Double](repeating: .nan, count: hours)
            let values = table.columns[context.columnOf[position][city]!]
            for (row, index) in context.gridIndex[position].enumerated() { grid[index] = values[row] }
            let missing = grid.map(\.isNaN)
            let summary = gapPolicy.apply(to: &grid, start: start)
            // The hours the gap policy filled, so the store can tell them from measured ones.
            if summary.interpolated > 0 {
                if imputed.isEmpty { imputed = [UInt8](repeating: 0, count: hours) }
                let bit = table.variable.imputedBit
                for index in 0..<hours where missing[index] && !grid[index].isNaN { imputed[index] |= bit }
            }
            grids.append(grid)
            summaries.append(summary)
        }

        var summary = CitySummary(city: city, rowsRead: context.rowsRead, hoursSpanned: hours, rowsKept: 0,
                                  dropped: CitySummary.DroppedRows(),
                                  variables: Dictionary(uniqueKeysWithValues: zip(context.tables.map(\.variable), summaries)))
        let firstObserved = summaries.compactMap(\.firstTime).min()
        let lastObserved = summaries.compactMap(\.lastTime).max()
        for index in 0..<hours {
            let time = start + Int64(index) * 3600
            guard grids.allSatisfy({ $0[index].isNaN }) else {
                if summary.firstTime == nil { summary.firstTime = time }
                summary.lastTime = time
                summary.rowsKept += 1
                continue
            }
            if firstObserved == nil || time < firstObserved! {
                summary.dropped.leadingEmpty += 1
            } else if time > lastObserved! {
                summary.dropped.trailingEmpty += 1
            } else {
                summary.dropped.longGap += 1
            }
        }
        summary.processedPath = processedDirectory.map { Self.processedPath($0, city) }
        return CityGrid(summary: summary, columns: grids, imputed: imputed)
    }

    /// Reads the files, one thread each.
    private func readAll() throws(PipelineError) -> [WideTable] {
        let results = ParallelResults<WideTable, PipelineError>(count: inputs.count)
        let selection = selection, inputs = inputs
        DispatchQueue.concurrentPerform(iterations: inputs.count) { index in
            let input = inputs[index]
            results.set(index, Swift.Result { () throws(PipelineError) -> WideTable in
                try WideCSVReader.read(path: input.path, variable: input.variable, selection: selection, name: input.name)
            })
        }
        var tables: [WideTable] = []
        for index in inputs.indices { tables.append(try results.get(index)) }
        return tables
    }

    /// The distinct values of two sorted arrays, sorted.
    static func union(_ a: [Int64], _ b: [Int64]) -> [Int64] {
        var result: [Int64] = []
        result.reserveCapacity(max(a.count, b.count))
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i] < b[j]) {
                result.append(a[i]); i += 1
            } else if i == a.count || b[j] < a[i] {
                result.append(b[j]); j += 1
            } else {
                result.append(a[i]); i += 1; j += 1
            }
        }
        return result
    }
}
