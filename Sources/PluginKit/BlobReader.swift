/// Reads a blob written by ``BlobWriter``, refusing truncated or foreign bytes.
///
/// Every read is bounds-checked and throws ``PluginError/badModel(_:)`` instead of
/// trapping, so `load` never crashes on arbitrary bytes.
public struct BlobReader: Sendable {
    private let bytes: [UInt8]
    private var offset = 0

    /// The format version found after the magic tag.
    public let version: UInt32

    /// Opens `bytes`, checking the four-character `magic` tag and that the version is
    /// one of `supportedVersions`.
    public init(_ bytes: [UInt8], magic: String, supportedVersions: ClosedRange<UInt32>) throws(PluginError) {
        self.bytes = bytes
        let tag = Array(magic.utf8)
        guard bytes.count >= tag.count + 4, Array(bytes[0..<tag.count]) == tag else {
            throw .badModel("not a \(magic) model blob (the magic tag is missing; \(bytes.count) bytes)")
        }
        offset = tag.count
        var version: UInt32 = 0
        for index in 0..<4 { version |= UInt32(bytes[offset + index]) << (8 * UInt32(index)) }
        offset += 4
        guard supportedVersions.contains(version) else {
            throw .badModel("\(magic) blob format version \(version) is not supported (this plugin reads \(supportedVersions.lowerBound)...\(supportedVersions.upperBound))")
        }
        self.version = version
    }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { offset == bytes.count }

    private mutating func take(_ count: Int, _ what: String) throws(PluginError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - offset else {
            throw .badModel("the model blob is truncated: \(what) needs \(count) bytes at offset \(offset), \(bytes.count - offset) remain")
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    /// Reads a 32-bit unsigned integer.
    public mutating func readUInt32(_ what: String) throws(PluginError) -> UInt32 {
        var value: UInt32 = 0
        for (shift, byte) in try take(4, what).enumerated() { value |= UInt32(byte) << (8 * UInt32(shift)) }
        return value
    }

    /// Reads a 64-bit signed integer.
    public mutating func readInt64(_ what: String) throws(PluginError) -> Int64 {
        var value: UInt64 = 0
        for (shift, byte) in try take(8, what).enumerated() { value |= UInt64(byte) << (8 * UInt64(shift)) }
        return Int64(bitPattern: value)
    }

    /// Reads a 64-bit integer and checks it lies in `range` (counts, orders, flags).
    public mutating func readInt(_ what: String, in range: ClosedRange<Int>) throws(PluginError) -> Int {
        let value = try readInt64(what)
        guard value >= Int64(range.lowerBound), value <= Int64(range.upperBound) else {
            throw .badModel("the model blob is corrupt: \(what) is \(value), outside \(range.lowerBound)...\(range.upperBound)")
        }
        return Int(value)
    }

    /// Reads a time (Unix seconds) and checks it lies in ``Series/validTimes`` (years 1 to 9999),
    /// so that time arithmetic on a corrupt blob cannot overflow.
    public mutating func readTime(_ what: String) throws(PluginError) -> Int64 {
        let value = try readInt64(what)
        guard Series.validTimes.contains(value) else {
            throw .badModel("the model blob is corrupt: \(what) \(value) is not a time between the years 1 and 9999")
        }
        return value
    }

    /// Reads a step in seconds and checks it lies in ``Series/validSteps`` (one second to one year).
    public mutating func readStepSeconds(_ what: String) throws(PluginError) -> Int64 {
        let value = try readInt64(what)
        guard Series.validSteps.contains(value) else {
            throw .badModel("the model blob is corrupt: \(what) \(value) is not a step between 1 s and one year")
        }
        return value
    }

    /// Reads a double.
    public mutating func readDouble(_ what: String) throws(PluginError) -> Double {
        Double(bitPattern: UInt64(bitPattern: try readInt64(what)))
    }

    /// Reads a finite double; NaN or infinity means a corrupt blob.
    public mutating func readFiniteDouble(_ what: String) throws(PluginError) -> Double {
        let value = try readDouble(what)
        guard value.isFinite else { throw .badModel("the model blob is corrupt: \(what) is \(value)") }
        return value
    }

    /// Reads an array of doubles written by ``BlobWriter/append(_:)-([Double])``, at most `maxCount` long.
    public mutating func readDoubles(_ what: String, maxCount: Int) throws(PluginError) -> [Double] {
        let count = try readInt("\(what) count", in: 0...maxCount)
        var values: [Double] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try readFiniteDouble(what)) }
        return values
    }

    /// Reads a UTF-8 string at most `maxBytes` long.
    public mutating func readString(_ what: String, maxBytes: Int) throws(PluginError) -> String {
        let count = try readInt("\(what) length", in: 0...maxBytes)
        return String(decoding: try take(count, what), as: UTF8.self)
    }

    /// Throws unless every byte has been read (trailing bytes mean a corrupt blob).
    public func requireEnd() throws(PluginError) {
        guard isAtEnd else { throw .badModel("the model blob has \(bytes.count - offset) unexpected trailing bytes") }
    }
}
