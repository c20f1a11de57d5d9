/// Builds a versioned, little-endian model blob: a magic tag, a format version, then fields.
///
/// ```swift
/// var writer = BlobWriter(magic: "AREG", version: 1)
/// writer.append(Int64(lags))
/// writer.append(coefficients)
/// let blob = writer.bytes
/// ```
public struct BlobWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// Starts a blob with a four-character ASCII `magic` tag and a format `version`.
    public init(magic: String, version: UInt32) {
        precondition(magic.utf8.count == 4, "a blob magic tag is four ASCII characters")
        bytes.append(contentsOf: magic.utf8)
        append(version)
    }

    /// Appends a 32-bit unsigned integer.
    public mutating func append(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends a 64-bit signed integer.
    public mutating func append(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends a double as its IEEE 754 bit pattern.
    public mutating func append(_ value: Double) {
        append(Int64(bitPattern: value.bitPattern))
    }

    /// Appends an array of doubles, preceded by its count.
    public mutating func append(_ values: [Double]) {
        append(Int64(values.count))
        for value in values { append(value) }
    }

    /// Appends a UTF-8 string, preceded by its byte count.
    public mutating func append(_ text: String) {
        append(Int64(text.utf8.count))
        bytes.append(contentsOf: text.utf8)
    }
}
