/// Writes a `Double` as the exact text of its `description` (`284.62`, `1000.0`), without
/// building a `String` for the common case.
///
/// Processed CSVs hold millions of values; `description` allocates a string for each,
/// the largest share of the time spent writing them. The values there (measurements with
/// a few decimals, and interpolations between them) almost always have a short decimal form:
///
/// For a magnitude in [0.001, 1e6) and k = 0, 1, ..., 9 fraction digits, the candidate is
/// m = |value| * 10^k rounded to the nearest integer. When m / 10^k (one correctly rounded
/// division of two exact numbers) gives back the value, that decimal is the shortest that
/// does, since smaller k were tried first, and the only one with k digits, since 10^-k is
/// wider than the gap between neighbouring doubles there; which is what `description`
/// prints. The rounding errors of computing m (under 0.13) cannot make it miss a decimal
/// that round-trips (|value| * 10^k lies within 0.06 of that decimal's m). Anything else
/// falls back to `description`; a test compares both on millions of values.
enum DecimalText {
    /// The most bytes ``write(_:to:)`` writes (`description` of any `Double` is shorter).
    static let maximumLength = 32

    /// Writes the text of `value.description` at `target` (room for ``maximumLength``
    /// bytes); returns the number of bytes written.
    static func write(_ value: Double, to target: UnsafeMutablePointer<UInt8>) -> Int {
        let magnitude = value.magnitude
        if magnitude >= 0.001 && magnitude < 1e6 {
            var scale = 1.0
            for digits in 0...9 {
                let mantissa = UInt64(magnitude * scale + 0.5)
                if Double(mantissa) / scale == magnitude {
                    var position = target
                    if value < 0 {
                        position.pointee = UInt8(ascii: "-")
                        position += 1
                    }
                    return position - target + write(mantissa, fractionDigits: digits, to: position)
                }
                scale *= 10
            }
        } else if value == 0 {
            var position = target
            if value.sign == .minus {
                position.pointee = UInt8(ascii: "-")
                position += 1
            }
            position[0] = UInt8(ascii: "0")
            position[1] = UInt8(ascii: ".")
            position[2] = UInt8(ascii: "0")
            return position - target + 3
        }
        var count = 0
        for byte in value.description.utf8.prefix(maximumLength) {
            target[count] = byte
            count += 1
        }
        return count
    }

    /// Appends the text of `value.description` to `bytes`.
    static func append(_ value: Double, to bytes: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maximumLength) { buffer in
            let count = write(value, to: buffer.baseAddress!)
            bytes.append(contentsOf: buffer.prefix(count))
        }
    }

    /// Writes `mantissa / 10^fractionDigits` in decimal, with at least one fraction digit
    /// (`12.0`); returns the number of bytes.
    private static func write(_ mantissa: UInt64, fractionDigits: Int, to target: UnsafeMutablePointer<UInt8>) -> Int {
        var scale: UInt64 = 1
        for _ in 0..<fractionDigits { scale &*= 10 }
        var integer = mantissa / scale
        var fraction = mantissa % scale
        var integerDigits = 1
        var probe = integer
        while probe >= 10 {
            probe /= 10
            integerDigits += 1
        }
        let fractionWidth = max(fractionDigits, 1)
        var position = integerDigits - 1
        repeat {
            target[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: integer % 10)
            integer /= 10
            position -= 1
        } while position >= 0
        target[integerDigits] = UInt8(ascii: ".")
        position = integerDigits + fractionWidth
        for _ in 0..<fractionWidth {
            target[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: fraction % 10)
            fraction /= 10
            position -= 1
        }
        return integerDigits + 1 + fractionWidth
    }
}
