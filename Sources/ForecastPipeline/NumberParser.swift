#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses decimal numbers from CSV cells without allocating.
enum NumberParser {
    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// The value of `bytes` (`-12.5`, `284.62`, `1e3`), or nil when it is not a finite number.
    ///
    /// Plain decimals with at most 15 significant digits take an exact fast path
    /// (an integer divided by an exact power of ten is correctly rounded); anything
    /// else goes through `strtod`.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var index = 0
        let count = bytes.count
        guard count > 0 else { return nil }
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            index = 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var sawDigit = false
        var sawPoint = false
        while index < count {
            let byte = bytes[index]
            if byte >= 48 && byte <= 57 {
                sawDigit = true
                if mantissa == 0 && byte == 48 {
                    if sawPoint { fractionDigits += 1 }
                } else {
                    mantissa = mantissa &* 10 &+ UInt64(byte - 48)
                    digits += 1
                    if sawPoint { fractionDigits += 1 }
                }
            } else if byte == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else {
                return slowPath(bytes)
            }
            index += 1
        }
        guard sawDigit else { return nil }
        guard digits <= 15, fractionDigits <= 22 else { return slowPath(bytes) }
        let value = Double(mantissa) / powersOfTen[fractionDigits]
        return negative ? -value : value
    }

    private static func slowPath(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard bytes.count < 64 else { return nil }
        var buffer = [CChar](repeating: 0, count: bytes.count + 1)
        for index in 0..<bytes.count { buffer[index] = CChar(bitPattern: bytes[index]) }
        return buffer.withUnsafeBufferPointer { pointer -> Double? in
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(pointer.baseAddress!, &end)
            guard let end, end - UnsafeMutablePointer(mutating: pointer.baseAddress!) == bytes.count, value.isFinite else { return nil }
            return value
        }
    }
}
