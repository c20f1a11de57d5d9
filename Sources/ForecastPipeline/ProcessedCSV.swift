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
        try write(encode(rows.lazy.map { ($0.time, $0.temperature, $0.humidity) }, count: rows.count), to: path)
    }

    /// Writes the hours of an hourly grid (NaN = missing) where either variable has a
    /// value: the rows ``write(_:to:)`` would write for them, without building them.
    static func write(start: Int64, temperature: [Double], humidity: [Double], to path: String) throws(PipelineError) {
        let rows = temperature.indices.lazy
            .filter { !(temperature[$0].isNaN && humidity[$0].isNaN) }
            .map { index -> (Int64, Double?, Double?) in
                let t = temperature[index], h = humidity[index]
                return (start + Int64(index) * 3600, t.isNaN ? nil : t, h.isNaN ? nil : h)
            }
        try write(encode(rows, count: temperature.count), to: path)
    }

    /// The longest row: a timestamp, two values and three separators.
    private static let maximumRowLength = 19 + 2 * DecimalText.maximumLength + 3

    /// The file's bytes for at most `count` rows of (time, temperature, humidity).
    ///
    /// Written through a pointer into a buffer sized for the longest rows (appending byte
    /// by byte to an array costed a capacity check per byte). Rows are hourly, so 24 in a
    /// row share their date: it is formatted once per day and copied from the last row.
    private static func encode<Rows: Sequence>(_ rows: Rows, count: Int) -> [UInt8] where Rows.Element == (Int64, Double?, Double?) {
        let head = Array((header + "\n").utf8)
        return [UInt8](unsafeUninitializedCapacity: head.count + count * maximumRowLength) { buffer, initialized in
            let base = buffer.baseAddress!
            var position = base
            for byte in head {
                position.pointee = byte
                position += 1
            }
            var day = Int64.min
            var date = position // where the current day's "YYYY-MM-DD " was last written
            for (time, temperature, humidity) in rows {
                var seconds = time % 86_400
                if seconds < 0 { seconds += 86_400 }
                let today = (time - seconds) / 86_400
                if today == day {
                    position.update(from: date, count: 11)
                } else {
                    day = today
                    Timestamp.writeDate(ofDay: today, to: position)
                }
                date = position
                position += 11
                func two(_ value: Int64) {
                    position[0] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value / 10)
                    position[1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10)
                    position += 2
                }
                two(seconds / 3600)
                position.pointee = UInt8(ascii: ":")
                position += 1
                two(seconds % 3600 / 60)
                position.pointee = UInt8(ascii: ":")
                position += 1
                two(seconds % 60)
                position.pointee = UInt8(ascii: ",")
                position += 1
                if let temperature { position += DecimalText.write(temperature, to: position) }
                position.pointee = UInt8(ascii: ",")
                position += 1
                if let humidity { position += DecimalText.write(humidity, to: position) }
                position.pointee = 10
                position += 1
            }
            initialized = position - base
        }
    }

    /// Publishes `bytes` at `path` (temporary file, fsync, rename).
    private static func write(_ bytes: [UInt8], to path: String) throws(PipelineError) {
        var bytes = bytes
        do {
            // Hand the bytes over without copying them (a city's file is a few MB).
            try bytes.withUnsafeMutableBytes { raw in
                try AtomicFile.write(Data(bytesNoCopy: raw.baseAddress!, count: raw.count, deallocator: .none), to: path)
            }
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
