import Foundation

/// Stream-parses the source's wide CSV: `datetime,City1,City2,...`, one row per hour.
///
/// Only the selected columns are parsed. Validation happens while reading, so an error
/// names the file, line and column: timestamps must parse, lie on the hour and strictly
/// increase (a duplicate and an out-of-order row are reported as such); a cell is empty
/// (missing) or a finite number within the variable's physical range.
public enum WideCSVReader {
    /// Reads `path` as `variable`, keeping the columns `selection` names; messages call the
    /// file `name` (what the user gave, when `path` is a staging copy of it).
    public static func read(path: String, variable: Variable, selection: CitySelection,
                            name: String? = nil) throws(PipelineError) -> WideTable {
        let shown = name ?? path
        var header: [String] = []
        var selectedIndices: [Int] = []   // field index of each selected column
        var fieldToColumn: [Int] = []     // field index -> selected column or -1
        var table = WideTable(variable: variable, path: shown, cities: [], headerCities: [], times: [], columns: [])
        var previousTime = Int64.min
        var previousLine = 0
        let range = variable.validRange
        var fieldStarts = [Int](repeating: 0, count: 64)
        var fieldEnds = [Int](repeating: 0, count: 64)

        try LineReader(path: path).forEachLine { (line, number) throws(PipelineError) -> Bool in
            if header.isEmpty {
                header = parseHeader(line)
                guard let first = header.first, first.lowercased() == "datetime" else {
                    throw PipelineError(.data, "\(shown): the first line must be a header starting with 'datetime'; found '\(quoted(header.first ?? ""))'")
                }
                let cities = Array(header.dropFirst())
                guard !cities.isEmpty else { throw PipelineError(.data, "\(shown): the header names no city columns") }
                table.headerCities = cities
                switch selection {
                case .all:
                    table.cities = cities
                    selectedIndices = Array(1..<header.count)
                case .named(let names):
                    for name in names {
                        guard let index = header.firstIndex(of: name), index > 0 else {
                            let suggestion = cities.first { $0.lowercased() == name.lowercased() }.map { " (did you mean '\($0)'?)" } ?? ""
                            throw PipelineError(.data, "\(shown): no column '\(quoted(name))'\(suggestion); the file has: \(quoted(cities.joined(separator: ", "), limit: 400))")
                        }
                        table.cities.append(name)
                        selectedIndices.append(index)
                    }
                }
                fieldToColumn = [Int](repeating: -1, count: header.count)
                for (column, index) in selectedIndices.enumerated() { fieldToColumn[index] = column }
                table.columns = Array(repeating: [], count: selectedIndices.count)
                if fieldStarts.count < header.count {
                    fieldStarts = [Int](repeating: 0, count: header.count)
                    fieldEnds = fieldStarts
                }
                return true
            }
            if line.isEmpty { return true }
            // Split on commas (the source quotes nothing; a quoted line takes the general path).
            var fields = 0
            if line.contains(UInt8(ascii: "\"")) {
                let parsed = splitQuoted(line)
                guard parsed.count == header.count else {
                    throw PipelineError(.data, "\(shown) line \(number): \(parsed.count) fields, the header has \(header.count)")
                }
                return try parsedRow(parsed.map { Array($0.utf8) }, number: number)
            }
            var start = 0
            for index in 0..<line.count where line[index] == UInt8(ascii: ",") {
                if fields < header.count {
                    fieldStarts[fields] = start
                    fieldEnds[fields] = index
                }
                fields += 1
                start = index + 1
            }
            if fields < header.count {
                fieldStarts[fields] = start
                fieldEnds[fields] = line.count
            }
            fields += 1
            guard fields == header.count else {
                throw PipelineError(.data, "\(shown) line \(number): \(fields) fields, the header has \(header.count)")
            }
            let time = try parseTime(UnsafeBufferPointer(rebasing: line[fieldStarts[0]..<fieldEnds[0]]), number: number)
            table.times.append(time)
            for (column, index) in selectedIndices.enumerated() {
                let cell = UnsafeBufferPointer(rebasing: line[fieldStarts[index]..<fieldEnds[index]])
                table.columns[column].append(try parseCell(cell, number: number, column: index))
            }
            return true
        }
        guard !header.isEmpty else { throw PipelineError(.data, "\(shown): the file is empty") }
        return table

        func parseTime(_ bytes: UnsafeBufferPointer<UInt8>, number: Int) throws(PipelineError) -> Int64 {
            guard let time = Timestamp.parse(bytes) else {
                throw PipelineError(.data, "\(shown) line \(number): '\(quoted(bytes))' is not a timestamp of the form YYYY-MM-DD HH:MM:SS")
            }
            guard time % 3600 == 0 else {
                throw PipelineError(.data, "\(shown) line \(number): \(Timestamp.format(time)) is not on the hour; the data must be hourly")
            }
            if time == previousTime {
                throw PipelineError(.data, "\(shown) line \(number): duplicate timestamp \(Timestamp.format(time)) (also on line \(previousLine))")
            }
            if time < previousTime {
                throw PipelineError(.data, "\(shown) line \(number): timestamp \(Timestamp.format(time)) is out of order (line \(previousLine) has \(Timestamp.format(previousTime)))")
            }
            previousTime = time
            previousLine = number
            return time
        }

        func parseCell(_ cell: UnsafeBufferPointer<UInt8>, number: Int, column: Int) throws(PipelineError) -> Double {
            var trimmed = cell
            while let first = trimmed.first, first == 32 { trimmed = UnsafeBufferPointer(rebasing: trimmed.dropFirst()) }
            while let last = trimmed.last, last == 32 { trimmed = UnsafeBufferPointer(rebasing: trimmed.dropLast()) }
            if trimmed.isEmpty { return .nan }
            guard let value = NumberParser.parse(trimmed) else {
                throw PipelineError(.data, "\(shown) line \(number), column '\(quoted(header[column]))': '\(quoted(cell))' is not a number")
            }
            guard range.contains(value) else {
                throw PipelineError(.data, "\(shown) line \(number), column '\(quoted(header[column]))': \(value) \(variable.unit) is outside the physical range \(range.lowerBound)...\(range.upperBound) \(variable.unit) for \(variable.rawValue)")
            }
            return value
        }

        func parsedRow(_ fields: [[UInt8]], number: Int) throws(PipelineError) -> Bool {
            let time = try fields[0].withUnsafeBufferPointer { (bytes) throws(PipelineError) in try parseTime(bytes, number: number) }
            table.times.append(time)
            for (column, index) in selectedIndices.enumerated() {
                let value = try fields[index].withUnsafeBufferPointer { (bytes) throws(PipelineError) in
                    try parseCell(bytes, number: number, column: index)
                }
                table.columns[column].append(value)
            }
            return true
        }
    }

    /// At most `limit` characters of `text` for a message, saying how long the rest is: a
    /// 10 MB cell must not make a 10 MB error line.
    static func quoted(_ text: String, limit: Int = 40) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "... (\(text.utf8.count) bytes in all)"
    }

    /// As ``quoted(_:limit:)`` for the bytes of a cell.
    static func quoted(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int = 40) -> String {
        guard bytes.count > limit * 4 else { return quoted(String(decoding: bytes, as: UTF8.self), limit: limit) }
        let head = String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<(limit * 4)]), as: UTF8.self)
        return String(head.prefix(limit)) + "... (\(bytes.count) bytes in all)"
    }

    /// The header's fields, with a UTF-8 byte-order mark and surrounding quotes removed.
    static func parseHeader(_ line: UnsafeBufferPointer<UInt8>) -> [String] {
        var text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        return splitQuoted(UnsafeBufferPointer(start: nil, count: 0), text: text).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
    }

    /// Splits a CSV line with RFC 4180 quoting.
    static func splitQuoted(_ line: UnsafeBufferPointer<UInt8>, text: String? = nil) -> [String] {
        let source = text ?? String(decoding: line, as: UTF8.self)
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = source.makeIterator()
        var pending: Character?
        while let character = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { current.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
