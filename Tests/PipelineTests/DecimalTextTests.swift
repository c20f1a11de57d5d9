@testable import ForecastPipeline
import Testing

/// The processed CSV's number writer must print exactly what `Double.description` prints.
@Suite("DecimalText writes what description writes")
struct DecimalTextTests {
    static func text(_ value: Double) -> String {
        var bytes: [UInt8] = []
        DecimalText.append(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("edge values: zeros, range limits, integers, non-finite, extremes")
    func edges() {
        let values: [Double] = [0, -0.0, 0.001, 0.001.nextDown, 0.001.nextUp, 0.000999, 999_999.9999999999, 1e6, 1e6.nextDown,
                                1, 100, 1e5, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 284.62, 284.625, -12.5, 180, 340, 99.99999999,
                                .nan, .infinity, -.infinity, .greatestFiniteMagnitude, .leastNonzeroMagnitude, 1e16, 123_456_789.5]
        for value in values {
            #expect(Self.text(value) == value.description, "\(value.bitPattern)")
        }
    }

    @Test("300,000 values of each kind ingest writes: measurements with few decimals and interpolations between them")
    func ingestLikeValues() {
        var random = SplitMix64(seed: 42)
        var mismatches: [Double] = []
        for _ in 0..<300_000 {
            let decimals = Double(random.next() % 5)
            var scale = 1.0
            for _ in 0..<Int(decimals) { scale *= 10 }
            let measured = (180 + random.uniform() * 160 * scale).rounded() / scale
            let other = (random.uniform() * 100 * scale).rounded() / scale
            let fraction = Double(1 + random.next() % 3) / Double(2 + random.next() % 3)
            for value in [measured, other, measured + (other - measured) * fraction, -measured] where Self.text(value) != value.description {
                mismatches.append(value)
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test("300,000 arbitrary bit patterns and decimals of up to 12 digits")
    func arbitraryValues() {
        var random = SplitMix64(seed: 7)
        var mismatches: [Double] = []
        for _ in 0..<300_000 {
            var scale = 1.0
            for _ in 0..<Int(random.next() % 13) { scale *= 10 }
            let decimal = Double(random.next() % 1_000_000_000_000) / scale
            for value in [decimal, Double(bitPattern: random.next())] where Self.text(value) != value.description {
                mismatches.append(value)
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }
}
