/// Rows to load as one column per variable and city on an hourly grid: what ingest
/// produces, kept in that shape so a large load needs no struct per row.
///
/// City `series[i]` covers the hours `start + 3600 * k` for `k` in its columns' indices;
/// NaN marks a value not observed, and an hour where every value is NaN is not a row.
/// The rows are the same ``Observation``s ``observations`` lists, in the same order: city
/// by city, oldest first. Building that array sat on the critical path before a load could
/// start (figures in bench/pipeline/README.md); both stores read the columns directly.
public struct ObservationBatch: Sendable {
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

    /// The batch of `observations` (a few rows, such as a POST's): per city, in order of
    /// first appearance, columns from its first to its last hour; a nil value is not
    /// observed (it keeps the stored one), and of two rows of one city and hour the later
    /// wins, as in two upserts one after the other. Throws when a time is not a whole hour
    /// (the store keeps hours only).
    public init(rows observations: [Observation]) throws(StoreError) {
        var order: [String] = []
        var byCity: [String: [Observation]] = [:]
        for (number, row) in observations.enumerated() {
            guard row.time % 3600 == 0 else {
                throw StoreError(.query, "row \(number + 1) (\(row.city), time \(row.time)) is not at a whole hour; nothing was written")
            }
            if byCity[row.city] == nil { order.append(row.city) }
            byCity[row.city, default: []].append(row)
        }
        self.init(order.map { city in
            let rows = byCity[city]!
            let first = rows.map(\.time).min()!, last = rows.map(\.time).max()!
            let hours = Int((last - first) / 3600) + 1
            var columns = [[Double]](repeating: [], count: tableVariables.count)
            for row in rows {
                let index = Int((row.time - first) / 3600)
                for variable in tableVariables {
                    guard let value = row[variable] else { continue }
                    if columns[variable.index].isEmpty { columns[variable.index] = [Double](repeating: .nan, count: hours) }
                    columns[variable.index][index] = value
                }
            }
            var named: [Variable: [Double]] = [:]
            for variable in tableVariables where !columns[variable.index].isEmpty { named[variable] = columns[variable.index] }
            return CitySeries(city: city, start: first, columns: named)
        })
    }

    /// Every row as an ``Observation``, city by city, oldest first.
    public var observations: [Observation] { series.flatMap(\.observations) }
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
