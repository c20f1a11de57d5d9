/// Rows to load as two columns per city on an hourly grid: what ingest produces, kept
/// in that shape so a large load needs no struct per row.
///
/// City `series[i]` covers the hours `start + 3600 * k` for `k` in its columns' indices;
/// NaN marks a value not observed, and an hour where both values are NaN is not a row.
/// The rows are the same ``Observation``s ``observations`` lists, in the same order: city
/// by city, oldest first. Building that array sat on the critical path before a load could
/// start (figures in bench/pipeline/README.md); both stores read the columns directly.
public struct ObservationBatch: Sendable {
    /// One city's hours, as two columns of the same length.
    public struct CitySeries: Sendable {
        /// The city, as named in the source's header.
        public var city: String
        /// The hour of index 0, Unix seconds (UTC), a multiple of 3600.
        public var start: Int64
        /// Temperature in kelvin per hour; NaN when not observed.
        public var temperature: [Double]
        /// Relative humidity in percent per hour; NaN when not observed.
        public var humidity: [Double]
        /// Per hour, which of its values were interpolated rather than measured
        /// (``ImputedMask``); empty when none were.
        public var imputed: [UInt8]

        /// Creates a city's series; the columns must have the same length (`imputed` may be empty).
        public init(city: String, start: Int64, temperature: [Double], humidity: [Double], imputed: [UInt8] = []) {
            precondition(temperature.count == humidity.count, "the two columns of \(city) differ in length")
            precondition(imputed.isEmpty || imputed.count == temperature.count, "the imputed marks of \(city) differ in length")
            self.city = city
            self.start = start
            self.temperature = temperature
            self.humidity = humidity
            self.imputed = imputed
        }

        /// The number of hours with at least one observed value.
        public var rowCount: Int {
            var count = 0
            for index in temperature.indices where !(temperature[index].isNaN && humidity[index].isNaN) { count += 1 }
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
            rows.append(Observation(city: series[row.city].city, time: row.time, temperature: row.temperature, humidity: row.humidity))
        }
        return rows
    }
}

/// Which values of a stored hour ingest interpolated (bits of `city_observations.imputed`).
///
/// A load writes an interpolated value only where the store has no measured one: a later
/// file's own gap filling never replaces a measurement, while a measured value replaces
/// an interpolated one.
public enum ImputedMask {
    /// The temperature was interpolated.
    public static let temperature: UInt8 = 1
    /// The humidity was interpolated.
    public static let humidity: UInt8 = 2
}
