import ForecastMath
import Testing

@Suite("Seasonal factors: expanded polynomials and the long state's stationary covariance")
struct SeasonalFactorTests {
    @Test("an AR factor times a seasonal factor expands to φ at 1..p, Φ at s and -φΦ at s+1..s+p, and factors back")
    func expandedAR() {
        let a = SeasonalFactorPolynomial.expandedAR([0.5, -0.2], seasonal: 0.3, lag: 4)
        // (1 - 0.5B + 0.2B²)(1 - 0.3B⁴) = 1 - 0.5B + 0.2B² - 0.3B⁴ + 0.15B⁵ - 0.06B⁶
        let expected = [0.5, -0.2, 0, 0.3, -0.15, 0.06]
        #expect(a.count == expected.count)
        for (x, y) in zip(a, expected) { #expect(abs(x - y) < 1e-15) }
        let back = SeasonalFactorPolynomial.factors(expanded: a, order: 2, lag: 4)
        #expect(back.coefficients == [0.5, -0.2] && back.seasonal == 0.3)
    }

    @Test("an MA factor times a seasonal factor expands with +θΘ at s+1..s+q")
    func expandedMA() {
        let b = SeasonalFactorPolynomial.expandedMA([0.4], seasonal: -0.5, lag: 3)
        // (1 + 0.4B)(1 - 0.5B³) = 1 + 0.4B - 0.5B³ - 0.2B⁴
        let expected = [0.4, 0, -0.5, -0.2]
        for (x, y) in zip(b, expected) { #expect(abs(x - y) < 1e-15) }
    }

    @Test("the stationary covariance of a state as long as a daily season solves P = T P Tᵀ + R Rᵀ")
    func doublingSolvesLyapunov() throws {
        for (phi, seasonal, theta, seasonalMA) in [([1.6, -0.65], 0.8, [0.3], 0.0), ([0.9], 0.95, [], 0.0), ([0.5], 0.2, [-0.4], -0.9)] {
            let ar = SeasonalFactorPolynomial.expandedAR(phi, seasonal: seasonal, lag: 24)
            let ma = seasonalMA == 0 ? theta : SeasonalFactorPolynomial.expandedMA(theta, seasonal: seasonalMA, lag: 24)
            let model = ARMAStateSpace(ar: ar, ma: ma)
            #expect(model.dimension > StationaryCovariance.denseLimit)
            let p = try #require(StationaryCovariance.solve(model))
            let next = model.propagate(p)
            let largest = p.map(abs).max()!
            for k in p.indices { #expect(abs(next[k] - p[k]) <= 1e-10 * largest, "entry \(k): \(next[k]) vs \(p[k])") }
            #expect(p[0] > 1)
        }
    }

    @Test("a seasonal factor at the unit circle has no stationary covariance")
    func unitRootRejected() {
        let ar = SeasonalFactorPolynomial.expandedAR([0.3], seasonal: 1.0, lag: 24)
        #expect(StationaryCovariance.solve(ARMAStateSpace(ar: ar, ma: [])) == nil)
    }
}
