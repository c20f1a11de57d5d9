import ForecastStore
import ForecastVocabulary
import Foundation

/// The processed per-city file: `datetime,<variable>,...` (the ingested variables in table
/// order, e.g. `datetime,temperature,humidity`), one row per kept hour.
///
/// Empty cells are missing values (a variable in a long gap while another is observed).
public enum ProcessedCSV {
    /// The header line of a file of temperature and humidity.
    public static let header = header(for: [.temperature, .humidity])

    /// The header line of a file of `variables`.
    public static func header(for variables: [Variable]) -> String {
        (["datetime"] + variables.map(\.name)).joined(separator: ",")
    }

    /// Writes `rows` to `path` atomically: columns temperature and humidity, and one for
    /// each other variable any row has a value of.
    public static func write(_ rows: [Observation], to path: String) throws(PipelineError) {
        let variables = Variable.allCases.filter { variable in
            variable == .temperature || variable == .humidity || rows.contains { $0[variable] != nil }
        }
        let columns = variables.map { variable in rows.map { $0[variable] ?? .nan } }
        try write(encode(start: 0, times: rows.map(\.time), variables: variables, columns: columns), to: path)
    }

    /// Writes the hours of an hourly grid (NaN = missing; one column per variable of
    /// `variables`) where any variable has a value: the rows ``write(_:to:)`` would write
    /// for them, without building them.
    static func write(start: Int64, variables: [Variable], columns: [[Double]], to path: String) throws(PipelineError) {
        try write(encode(start: start, times: nil, variables: variables, columns: columns), to: path)
    }

    /// The file's bytes: one row per entry of `times` or, without them, per hour from
    /// `start` where any column has a value; one value per column (NaN = missing).
    ///
    /// Written through a pointer into a buffer sized for the longest rows (appending byte
    /// by byte to an array costed a capacity check per byte), reading the columns in place
    /// (no array per row). Rows are hourly, so 24 in a row share their date: it is
    /// formatted once per day and copied from the last row.
    private static func encode(start: Int64, times: [Int64]?, variables: [Variable], columns: [[Double]]) -> [UInt8] {
        let head = Array((header(for: variables) + "\n").utf8)
        let count = times?.count ?? columns.first?.count ?? 0
        // The longest row: a timestamp, the values and a separator before each and the newline.
        let maximumRowLength = 19 + variables.count * (DecimalText.maximumLength + 1) + 1
        return [UInt8](unsafeUninitializedCapacity: head.count + count * maximumRowLength) { buffer, initialized in
            let base = buffer.baseAddress!
            var position = base
            for byte in head {
                position.pointee = byte
                position += 1
            }
            var day = Int64.min
            var date = position // where the current day's "YYYY-MM-DD " was last written
            for row in 0..<count {
                let time: Int64
                if let times {
                    time = times[row]
                } else {
                    var observed = false
                    for column in 0..<columns.count where !columns[column][row].isNaN {
                        observed = true
                        break
                    }
                    guard observed else { continue }
                    time = start + Int64(row) * 3600
                }
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
                for column in 0..<columns.count {
                    let value = columns[column][row]
                    position.pointee = UInt8(ascii: ",")
                    position += 1
                    if !value.isNaN { position += DecimalText.write(value, to: position) }
                }
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

    /// Reads a processed CSV back (for tools and tests); its header names the variables.
    public static func read(path: String, city: String) throws(PipelineError) -> [Observation] {
        var rows: [Observation] = []
        var variables: [Variable] = []
        try LineReader(path: path).forEachLine { (line, number) throws(PipelineError) -> Bool in
            let fields = line.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
            if number == 1 {
                let names = fields.map { String(decoding: UnsafeBufferPointer(rebasing: $0), as: UTF8.self) }
                let found = names.dropFirst().compactMap(Variable.init(named:))
                guard names.first == "datetime", found.count == names.count - 1, !found.isEmpty else {
                    throw PipelineError(.data, "\(path) line 1: expected datetime and variable names (\(Variable.allCases.map(\.name).joined(separator: ", "))), found \(names.joined(separator: ","))")
                }
                variables = found
                return true
            }
            if line.isEmpty { return true }
            guard fields.count == variables.count + 1, let time = Timestamp.parse(fields[0]) else {
                throw PipelineError(.data, "\(path) line \(number): expected \(header(for: variables))")
            }
            var row = Observation(city: city, time: time, values: [:])
            for (offset, variable) in variables.enumerated() {
                let field = fields[offset + 1]
                row[variable] = field.isEmpty ? nil : NumberParser.parse(UnsafeBufferPointer(rebasing: field))
            }
            rows.append(row)
            return true
        }
        return rows
    }
}
