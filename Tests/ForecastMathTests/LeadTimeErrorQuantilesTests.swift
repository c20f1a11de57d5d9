import ForecastMath
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Empirical per-lead error quantiles: exact order statistics where the sample supports
/// them, normal-score interpolation and extrapolation elsewhere, pooling, serialization.
@Suite("LeadTimeErrorQuantiles")
struct LeadTimeErrorQuantilesTests {
    /// A reproducible stream of uniforms in (0, 1) (SplitMix64).
    struct Uniforms {
        var state: UInt64
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return (Double(z >> 11) + 0.5) / 9_007_199_254_740_992
        }
        mutating func normal() -> Double { NormalDistribution.quantile(next()) }
    }

    /// The 1,000 values 1 ... 1000, the same at every lead.
    static let ramp = (1...1000).map(Double.init)

    /// Where the sample supports a grid point, its quantile is numpy's default
    /// (linear between order statistics): for 1 ... 1000, q(p) = 1 + 999 p.
    @Test func gridQuantilesAreOrderStatisticInterpolation() throws {
        let q = try LeadTimeErrorQuantiles(errorsByLead: [Self.ramp], poolingRadius: 0)
        for p in [0.01, 0.025, 0.1, 0.25, 0.5, 0.9, 0.975, 0.99] {
            #expect(abs(q.quantile(p, lead: 1) - (1 + 999 * p)) < 1e-9, "p = \(p)")
        }
        let (low, high) = q.offsets(level: 0.95, lead: 1)
        #expect(abs(low - 25.975) < 1e-9)
        #expect(abs(high - 975.025) < 1e-9)
    }

    /// Grid points with fewer than `minimumTailCount` errors beyond them are extended from
    /// the outermost supported pair, linearly in normal score, and stay monotone.
    @Test func unsupportedTailsAreExtendedLinearlyInNormalScore() throws {
        // 100 values: p = 0.05 has exactly 5 beyond it (supported), p = 0.025 does not.
        let values = (1...100).map(Double.init)
        let q = try LeadTimeErrorQuantiles(errorsByLead: [values], poolingRadius: 0)
        let z = NormalDistribution.quantile
        let q05 = 1 + 99 * 0.05, q10 = 1 + 99 * 0.1
        let slope = (q05 - q10) / (z(0.05) - z(0.1))
        let want = q05 + slope * (z(0.025) - z(0.05))
        #expect(abs(q.quantile(0.025, lead: 1) - want) < 1e-9)
        #expect(abs(q.quantile(0.05, lead: 1) - q05) < 1e-9)
        let row = q.quantiles[0]
        #expect(zip(row, row.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(q.quantile(0.001, lead: 1) < q.quantile(0.0025, lead: 1))
    }

    /// Standard normal errors give the normal quantiles at every level, inside and
    /// beyond the grid (where the extension is linear in normal score, so only the noise
    /// of the outermost grid quantiles, magnified by the distance, remains).
    @Test func gaussianErrorsGiveNormalQuantilesAtAnyLevel() throws {
        var u = Uniforms(state: 7)
        let errors = (0..<6).map { _ in (0..<20_000).map { _ in u.normal() } }
        let q = try LeadTimeErrorQuantiles(errorsByLead: errors)
        for level in [0.5, 0.8, 0.95, 0.99, 0.999, 0.99999] {
            let z = NormalDistribution.criticalValue(level: level)
            let (low, high) = q.offsets(level: level, lead: 3)
            let tolerance = level > 0.999 ? 0.3 : level > 0.99 ? 0.12 : 0.04
            #expect(abs(low + z) < tolerance, "level \(level): \(low)")
            #expect(abs(high - z) < tolerance, "level \(level): \(high)")
        }
    }

    /// Skewed errors give asymmetric intervals: for Exp(1) - 1 the 90% interval is
    /// (log(1/0.95) - 1, log(1/0.05) - 1) = (-0.949, 1.996).
    @Test func skewedErrorsGiveAsymmetricOffsets() throws {
        var u = Uniforms(state: 11)
        let errors = [(0..<50_000).map { _ in -log(u.next()) - 1 }]
        let q = try LeadTimeErrorQuantiles(errorsByLead: errors, poolingRadius: 0)
        let (low, high) = q.offsets(level: 0.9, lead: 1)
        #expect(abs(low - (log(1 / 0.95) - 1)) < 0.01)
        #expect(abs(high - (log(1 / 0.05) - 1)) < 0.03)
        #expect(high > -low * 2)
    }

    /// Lead h pools leads h - r ... h + r: an empty lead borrows from its neighbours and
    /// the counts say how many errors each lead used.
    @Test func poolingLendsNeighbouringLeadsErrors() throws {
        let small = (0..<10).map { Double($0) }
        let large = (0..<10).map { Double($0) + 100 }
        let q = try LeadTimeErrorQuantiles(errorsByLead: [small, [], large], poolingRadius: 1, minimumCount: 10)
        #expect(q.sampleCounts == [10, 20, 10])
        #expect(abs(q.quantile(0.5, lead: 2) - (9 + 100) / 2) < 1e-12)
        #expect(q.quantile(0.5, lead: 1) < q.quantile(0.5, lead: 2))
        #expect(q.quantile(0.5, lead: 2) < q.quantile(0.5, lead: 3))
    }

    /// Beyond the horizon the last lead's quantiles hold.
    @Test func leadsBeyondTheHorizonUseTheLastLead() throws {
        let q = try LeadTimeErrorQuantiles(errorsByLead: [Self.ramp, Self.ramp.map { 2 * $0 }], poolingRadius: 0)
        #expect(q.offsets(level: 0.8, lead: 50) == q.offsets(level: 0.8, lead: 2))
        #expect(q.offsets(level: 0.8, lead: 2) != q.offsets(level: 0.8, lead: 1))
    }

    /// Wider levels give wider intervals.
    @Test func intervalsWidenWithTheLevel() throws {
        var u = Uniforms(state: 3)
        let q = try LeadTimeErrorQuantiles(errorsByLead: [(0..<500).map { _ in u.normal() * 3 }])
        var previous = q.offsets(level: 0.01, lead: 1)
        for level in stride(from: 0.02, through: 0.999, by: 0.01) {
            let current = q.offsets(level: level, lead: 1)
            #expect(current.lower <= previous.lower && current.upper >= previous.upper, "level \(level)")
            previous = current
        }
    }

    /// Too few errors, non-finite errors and bad parameters are errors that say so.
    @Test func badInputIsRejected() {
        #expect(throws: LeadTimeErrorQuantilesError.tooFewErrors(lead: 1, count: 5, minimum: 20)) {
            try LeadTimeErrorQuantiles(errorsByLead: [[1, 2, 3, 4, 5]])
        }
        #expect(throws: LeadTimeErrorQuantilesError.notFinite(lead: 2)) {
            try LeadTimeErrorQuantiles(errorsByLead: [Self.ramp, [1, .nan]])
        }
        #expect(throws: LeadTimeErrorQuantilesError.self) { try LeadTimeErrorQuantiles(errorsByLead: []) }
        #expect(throws: LeadTimeErrorQuantilesError.self) {
            try LeadTimeErrorQuantiles(errorsByLead: [Self.ramp], probabilities: [0.1, 0.05, 0.9])
        }
    }

    /// The serialized form reads back to an equal value; another version, a wrong length
    /// or decreasing quantiles are refused.
    @Test func serializationRoundTripsAndRejectsDamage() throws {
        var u = Uniforms(state: 5)
        let q = try LeadTimeErrorQuantiles(errorsByLead: (0..<24).map { _ in (0..<100).map { _ in u.normal() } })
        let numbers = q.serialized
        #expect(numbers.count == 3 + 29 + 24 * 30)
        #expect(try LeadTimeErrorQuantiles(serialized: numbers) == q)

        var otherVersion = numbers
        otherVersion[0] = 2
        #expect(throws: LeadTimeErrorQuantilesError.self) { try LeadTimeErrorQuantiles(serialized: otherVersion) }
        #expect(throws: LeadTimeErrorQuantilesError.self) { try LeadTimeErrorQuantiles(serialized: Array(numbers.dropLast())) }
        var decreasing = numbers
        let firstQuantile = 3 + 29 + 24
        decreasing[firstQuantile] = decreasing[firstQuantile + 1] + 1
        #expect(throws: LeadTimeErrorQuantilesError.self) { try LeadTimeErrorQuantiles(serialized: decreasing) }
    }
}
