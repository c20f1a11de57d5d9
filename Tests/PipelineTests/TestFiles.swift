import Foundation
import ForecastPipeline
import ForecastStore

/// Small wide CSVs in the source's layout, for ingest tests.
enum WideCSV {
    /// `hours` rows from 2017-01-01 00:00:00 for `cities`, values from `value(city, hour)` (nil = empty cell).
    static func make(cities: [String], hours: Int, start: String = "2017-01-01 00:00:00",
                     value: (Int, Int) -> String?) -> String {
        let t0 = Timestamp.parse(start)!
        var lines = ["datetime," + cities.joined(separator: ",")]
        for hour in 0..<hours {
            let cells = cities.indices.map { value($0, hour) ?? "" }
            lines.append(Timestamp.format(t0 + Int64(hour) * 3600) + "," + cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func temperature(_ city: Int, _ hour: Int) -> String {
        String(format: "%.2f", 285 + Double(city) + 4 * sin(Double(hour) * .pi / 12))
    }

    static func humidity(_ city: Int, _ hour: Int) -> String {
        String(format: "%.1f", 70 + Double(city) - 10 * sin(Double(hour) * .pi / 12))
    }
}
