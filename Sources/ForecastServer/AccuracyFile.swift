import Foundation

/// The binary file the accuracy state is saved in (`accuracy.bin`), little-endian:
///
/// ```
/// "FCACCURY"  u32 version (2)  u16 horizon  u16 bands  u32 series
/// per series: str plugin, str city, str variable, i64 latestOrigin,
///   u32 days, per day: i64 day, per band (u32 count, f64 absolute, f64 squares, u32 inside,
///     u32 pairedCount, f64 pairedAbsolute, f64 pairedBaselineAbsolute),
///     horizon x u16 lead count, horizon x f64 lead absolute error
///   u32 pending, per forecast: i64 origin, u8 n, n x u8 lead, n x f32 mean, n x f32 lower, n x f32 upper
/// u64 FNV-1a hash of every byte before it
/// ```
/// (`str` is a u32 byte count and UTF-8.) Binary rather than JSON because most of the
/// state is numbers, and fixed-width numbers cost a third of their decimal text and
/// need no parsing; the hash catches a torn or damaged file, which is then set aside.
enum AccuracyFile {
    static let magic = Array("FCACCURY".utf8)
    static let version: UInt32 = 2

    /// Why a file cannot be read.
    struct Damaged: Error, CustomStringConvertible {
        var description: String
    }

    static func encode(_ record: AccuracyRecord) -> [UInt8] {
        var out = Writer()
        out.bytes.reserveCapacity(estimatedSize(record))
        out.bytes += magic
        out.u32(version)
        out.u16(UInt16(AccuracyTracker.horizon))
        out.u16(UInt16(AccuracyTracker.bands.count))
        out.u32(UInt32(record.series.count))
        for series in record.series {
            out.string(series.plugin)
            out.string(series.city)
            out.string(series.variable)
            out.i64(series.latestOrigin)
            out.u32(UInt32(series.days.count))
            for day in series.days {
                out.i64(day.day)
                for band in day.bands {
                    out.u32(UInt32(clamping: band.count))
                    out.f64(band.absolute)
                    out.f64(band.squares)
                    out.u32(UInt32(clamping: band.inside))
                    out.u32(UInt32(clamping: band.pairedCount))
                    out.f64(band.pairedAbsolute)
                    out.f64(band.pairedBaselineAbsolute)
                }
                for count in day.leadCount { out.u16(count) }
                for absolute in day.leadAbsolute { out.f64(absolute) }
            }
            out.u32(UInt32(series.pending.count))
            for forecast in series.pending {
                out.i64(forecast.origin)
                out.bytes.append(UInt8(forecast.leads.count))
                out.bytes += forecast.leads
                for value in forecast.mean { out.f32(value) }
                for value in forecast.lower { out.f32(value) }
                for value in forecast.upper { out.f32(value) }
            }
        }
        out.u64(hash(out.bytes[...]))
        return out.bytes
    }

    static func decode(_ bytes: [UInt8]) throws(Damaged) -> AccuracyRecord {
        guard bytes.count >= magic.count + 8, bytes.starts(with: magic) else { throw Damaged(description: "not an accuracy file") }
        var tail = Reader(bytes: bytes, offset: bytes.count - 8)
        guard try tail.u64() == hash(bytes[..<(bytes.count - 8)]) else {
            throw Damaged(description: "its hash does not match its contents (torn or damaged)")
        }
        var input = Reader(bytes: Array(bytes[..<(bytes.count - 8)]), offset: magic.count)
        let version = try input.u32()
        guard version == Self.version else { throw Damaged(description: "format version \(version), this build reads \(Self.version)") }
        let horizon = Int(try input.u16()), bandCount = Int(try input.u16())
        guard horizon == AccuracyTracker.horizon, bandCount == AccuracyTracker.bands.count else {
            throw Damaged(description: "written for \(horizon) leads in \(bandCount) bands, this build scores \(AccuracyTracker.horizon) in \(AccuracyTracker.bands.count)")
        }
        var record = AccuracyRecord()
        let seriesCount = try input.count(atLeast: 28)
        for _ in 0..<seriesCount {
            var series = AccuracySeries(plugin: try input.string(), city: try input.string(), variable: try input.string(),
                                        latestOrigin: try input.i64())
            let days = try input.count(atLeast: 8 + bandCount * 44 + horizon * 10)
            for _ in 0..<days {
                var day = DayScores(day: try input.i64())
                for band in 0..<bandCount {
                    day.bands[band] = BandSums(count: Int(try input.u32()), absolute: try input.f64(), squares: try input.f64(),
                                               inside: Int(try input.u32()), pairedCount: Int(try input.u32()),
                                               pairedAbsolute: try input.f64(), pairedBaselineAbsolute: try input.f64())
                }
                for lead in 0..<horizon { day.leadCount[lead] = try input.u16() }
                for lead in 0..<horizon { day.leadAbsolute[lead] = try input.f64() }
                series.days.append(day)
            }
            let pending = try input.count(atLeast: 9)
            for _ in 0..<pending {
                let origin = try input.i64()
                let n = Int(try input.u8())
                var leads: [UInt8] = []
                for _ in 0..<n {
                    let lead = try input.u8()
                    guard Int(lead) < horizon else { throw Damaged(description: "a pending lead \(lead) beyond the horizon") }
                    leads.append(lead)
                }
                var columns: [[Float]] = [[], [], []]
                for column in columns.indices { for _ in 0..<n { columns[column].append(try input.f32()) } }
                series.pending.append(PendingForecast(origin: origin, leads: leads, mean: columns[0], lower: columns[1], upper: columns[2]))
            }
            record.series.append(series)
        }
        guard input.offset == input.bytes.count else { throw Damaged(description: "\(input.bytes.count - input.offset) bytes after the last series") }
        return record
    }

    /// The size ``encode(_:)`` will write.
    static func estimatedSize(_ record: AccuracyRecord) -> Int {
        var size = magic.count + 12 + 8
        for series in record.series {
            size += 28 + series.plugin.utf8.count + series.city.utf8.count + series.variable.utf8.count
            size += series.days.count * (8 + AccuracyTracker.bands.count * 44 + AccuracyTracker.horizon * 10)
            size += series.pending.reduce(0) { $0 + 9 + $1.leads.count * 13 }
        }
        return size
    }

    /// 64-bit FNV-1a.
    static func hash(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    private struct Writer {
        var bytes: [UInt8] = []
        mutating func u16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        mutating func i64(_ value: Int64) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        mutating func f32(_ value: Float) { u32(value.bitPattern) }
        mutating func f64(_ value: Double) { u64(value.bitPattern) }
        mutating func string(_ value: String) {
            u32(UInt32(value.utf8.count))
            bytes += value.utf8
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset: Int

        private mutating func take<T: FixedWidthInteger>(_: T.Type) throws(Damaged) -> T {
            let size = MemoryLayout<T>.size
            guard offset + size <= bytes.count else { throw Damaged(description: "it ends in the middle of a record") }
            var value: T = 0
            for index in 0..<size { value |= T(bytes[offset + index]) << (8 * index) }
            offset += size
            return value
        }

        mutating func u8() throws(Damaged) -> UInt8 { try take(UInt8.self) }
        mutating func u16() throws(Damaged) -> UInt16 { try take(UInt16.self) }
        mutating func u32() throws(Damaged) -> UInt32 { try take(UInt32.self) }
        mutating func u64() throws(Damaged) -> UInt64 { try take(UInt64.self) }
        mutating func i64() throws(Damaged) -> Int64 { Int64(bitPattern: try take(UInt64.self)) }
        mutating func f32() throws(Damaged) -> Float { Float(bitPattern: try take(UInt32.self)) }
        mutating func f64() throws(Damaged) -> Double { Double(bitPattern: try take(UInt64.self)) }

        /// A count of records that each take at least `size` bytes, checked against what is left.
        mutating func count(atLeast size: Int) throws(Damaged) -> Int {
            let count = Int(try u32())
            guard count * size <= bytes.count - offset else { throw Damaged(description: "a count of \(count) records larger than the file") }
            return count
        }

        mutating func string() throws(Damaged) -> String {
            let length = Int(try u32())
            guard length <= bytes.count - offset else { throw Damaged(description: "a name longer than the file") }
            defer { offset += length }
            guard let text = String(validating: bytes[offset..<(offset + length)], as: UTF8.self) else {
                throw Damaged(description: "a name that is not UTF-8")
            }
            return text
        }
    }
}
