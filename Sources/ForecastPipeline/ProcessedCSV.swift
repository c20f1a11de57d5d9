import Foundation
import ForecastStore
import PluginHost

/// The processed per-city file: `datetime,temperature,humidity`, one row per kept hour.
///
/// Empty cells are missing values (a variable in a long gap while the other is observed).
public enum ProcessedCSV {
    /// The header line.
    public static let header = "datetime,temperature,humidity"

    /// Writes `rows` to `path` atomically.
    public static func write(_ rows: [Observation], to path: String) throws(PipelineError) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(rows.count * 44 + 32)
        bytes.append(contentsOf: (header + "\n").utf8)
        for row in rows {
            Timestamp.append(row.time, to: &bytes)
            bytes.append(UInt8(ascii: ","))
            if let value = row.temperature { bytes.append(contentsOf: value.description.utf8) }
            bytes.append(UInt8(ascii: ","))
            if let value = row.humidity { bytes.append(contentsOf: value.description.utf8) }
            bytes.append(10)
        }
        do {
            try AtomicFile.write(Data(bytes), to: path)
        } catch {
            throw PipelineError(.data, "cannot write \(path): \(error)")
        }
    }

    /// Reads a processed CSV back (for tools and tests).
    public static func read(path: String, city: String) throws(PipelineError) -> [Observation] {
        var rows: [Observation] = []
        try LineReader(path: path).forEachLine { (line, number) throws(PipelineError) -> Bool in
            if number == 1 || line.isEmpty { return true }
            let fields = line.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
            guard fields.count == 3, let time = Timestamp.parse(fields[0]) else {
                throw PipelineError(.data, "\(path) line \(number): expected datetime,temperature,humidity")
            }
            func value(_ field: Slice<UnsafeBufferPointer<UInt8>>) -> Double? {
                field.isEmpty ? nil : NumberParser.parse(UnsafeBufferPointer(rebasing: field))
            }
            rows.append(Observation(city: city, time: time, temperature: value(fields[1]), humidity: value(fields[2])))
            return true
        }
        return rows
    }
}
