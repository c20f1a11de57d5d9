import ForecastMath
import Foundation
import Testing

/// The numerical pieces of the ARIMA plugin, each alone.
@Suite("ARIMA numerics")
struct ForecastMathPieceTests {
    @Test("the Monahan transform is stationary and round-trips")
    func transform() throws {
        for raw in [[0.3], [-2.0, 1.5], [4.0, -0.2, 0.9], [0.1, 0.1, 0.1, -3.0]] {
            let phi = ARMAParameterTransform.stationaryAR(from: raw)
            #expect(ARMAParameterTransform.isStationary(phi))
            let back = try #require(ARMAParameterTransform.unconstrainedAR(from: phi))
            for (a, b) in zip(raw, back) { #expect(abs(a - b) < 1e-9) }
            let theta = ARMAParameterTransform.invertibleMA(from: raw)
            #expect(ARMAParameterTransform.unconstrainedMA(from: theta) != nil)
        }
        #expect(!ARMAParameterTransform.isStationary([1.0]))
        #expect(!ARMAParameterTransform.isStationary([0.5, 0.6]))
        #expect(ARMAParameterTransform.isStationary([0.5, 0.3]))
        // Inverse root 0.995 is outside radius 0.99, 0.98 is inside.
        #expect(!ARMAParameterTransform.inverseRootsWithin([0.995], radius: 0.99))
        #expect(ARMAParameterTransform.inverseRootsWithin([0.98], radius: 0.99))
    }

    @Test("the stationary covariance of an AR(1) is 1 / (1 - φ²)")
    func stationaryCovariance() throws {
        let p = try #require(StationaryCovariance.solve(ARMAStateSpace(ar: [0.6], ma: [])))
        #expect(abs(p[0] - 1 / (1 - 0.36)) < 1e-12)
        // MA(1): Var = 1 + θ².
        let q = try #require(StationaryCovariance.solve(ARMAStateSpace(ar: [], ma: [0.4])))
        #expect(abs(q[0] - 1.16) < 1e-12)
        #expect(StationaryCovariance.solve(ARMAStateSpace(ar: [1.0], ma: [])) == nil)
    }

    @Test("the exact AR(1) likelihood matches its closed form")
    func ar1Likelihood() throws {
        let x: [Double] = [0.3, -0.1, 0.8, 1.2, 0.4, -0.6, -0.2, 0.5, 0.9, 0.1]
        let phi = 0.5
        let result = try #require(ARMALikelihood.evaluate(x, ar: [phi], ma: []))
        // Closed form: x0 ~ N(0, σ²/(1-φ²)), xt | xt-1 ~ N(φ xt-1, σ²).
        var squares = x[0] * x[0] * (1 - phi * phi)
        for t in 1..<x.count { squares += (x[t] - phi * x[t - 1]) * (x[t] - phi * x[t - 1]) }
        let n = Double(x.count)
        let sigma2 = squares / n
        let profiled: Double = -0.5 * n * (log(2 * Double.pi * sigma2) + 1)
        let expected = profiled + 0.5 * log(1 - phi * phi)
        #expect(abs(result.variance - sigma2) < 1e-12)
        #expect(abs(result.logLikelihood - expected) < 1e-10)
    }

    @Test("BFGS finds the minimum of the Rosenbrock function")
    func bfgs() {
        let result = BFGSMinimizer(gradientTolerance: 1e-9, maxIterations: 500).minimize(start: [-1.2, 1]) { x in
            let a = 1 - x[0], b = x[1] - x[0] * x[0]
            return a * a + 100 * b * b
        }
        #expect(abs(result.point[0] - 1) < 1e-4 && abs(result.point[1] - 1) < 1e-4)
    }

    @Test("least squares recovers exact coefficients and standard errors")
    func leastSquares() throws {
        let x = (0..<20).map(Double.init)
        let noise = x.map { $0.truncatingRemainder(dividingBy: 3) - 1 }
        let y = zip(x, noise).map { 2 + 0.5 * $0 + $1 }
        let fit = try #require(LinearRegressionFit(columns: [[Double](repeating: 1, count: 20), x], response: y))
        // Reference: the normal equations solved by hand.
        let n = 20.0, sx = x.reduce(0, +), sxx = x.reduce(0) { $0 + $1 * $1 }
        let sy = y.reduce(0, +), sxy = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
        let slope = (n * sxy - sx * sy) / (n * sxx - sx * sx)
        #expect(abs(fit.coefficients[1] - slope) < 1e-12)
        #expect(abs(fit.coefficients[0] - (sy - slope * sx) / n) < 1e-12)
        let s2 = fit.residualSumOfSquares / 18
        #expect(abs(fit.standardErrors[1] - (s2 * n / (n * sxx - sx * sx)).squareRoot()) < 1e-12)
        #expect(LinearRegressionFit(columns: [x, x.map { 2 * $0 }], response: y) == nil)
    }

    @Test("integration undoes differencing")
    func differencing() {
        let y: [Double] = [3, 5, 4, 8, 13, 12, 15]
        for d in 0...2 {
            let w = Differencing.difference(Array(y.prefix(5)), order: d)
            var levels = Differencing.lastLevels(Array(y.prefix(5)), order: d)
            let full = Differencing.difference(y, order: d)
            #expect(Array(full.prefix(w.count)) == w)
            #expect(Differencing.integrate(&levels, next: full[w.count]) == y[5])
            #expect(Differencing.integrate(&levels, next: full[w.count + 1]) == y[6])
        }
    }

    @Test("ψ weights of an ARMA(1,1)")
    func psiWeights() {
        let psi = ARMAStateSpace(ar: [0.5], ma: [0.3]).psiWeights(4)
        // ψ1 = φ + θ, ψk = φ ψk-1.
        #expect(abs(psi[1] - 0.8) < 1e-15 && abs(psi[2] - 0.4) < 1e-15 && abs(psi[3] - 0.2) < 1e-15)
    }

    @Test("pmdarima's root rule ignores AR roots when there are MA terms; both checks both")
    func rootRule() {
        let nearUnitAR = ARIMAParameters(mean: 0, ar: [0.9999], ma: [0.3], variance: 1)
        #expect(NearUnitRootRule.pmdarima.accepts(nearUnitAR))
        #expect(!NearUnitRootRule.both.accepts(nearUnitAR))
        let pureAR = ARIMAParameters(mean: 0, ar: [0.9999], ma: [], variance: 1)
        #expect(!NearUnitRootRule.pmdarima.accepts(pureAR))
        let nearUnitMA = ARIMAParameters(mean: 0, ar: [0.5], ma: [-0.995], variance: 1)
        #expect(!NearUnitRootRule.pmdarima.accepts(nearUnitMA))
    }

    @Test("CSS by Levenberg-Marquardt equals least squares for a pure AR with mean")
    func cssMatchesLeastSquares() throws {
        var x = [Double](repeating: 0, count: 400)
        var state: UInt64 = 12345
        func noise() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        for t in 2..<x.count { x[t] = 3 + 0.5 * (x[t - 1] - 3) - 0.2 * (x[t - 2] - 3) + noise() }
        let fit = try #require(CSSLevenbergMarquardt.fit(x, estimateMean: true, mean: 0, ar: [0, 0], ma: []))
        // yₜ = c + φ₁ yₜ₋₁ + φ₂ yₜ₋₂ by OLS; μ = c / (1 - φ₁ - φ₂).
        let rows = 2..<x.count
        let ols = try #require(LinearRegressionFit(columns: [rows.map { _ in 1.0 }, rows.map { x[$0 - 1] }, rows.map { x[$0 - 2] }],
                                                   response: rows.map { x[$0] }))
        #expect(abs(fit.ar[0] - ols.coefficients[1]) < 1e-7)
        #expect(abs(fit.ar[1] - ols.coefficients[2]) < 1e-7)
        #expect(abs(fit.mean - ols.coefficients[0] / (1 - ols.coefficients[1] - ols.coefficients[2])) < 1e-6)
        #expect(abs(fit.sumOfSquares - ols.residualSumOfSquares) < 1e-8 * ols.residualSumOfSquares)
    }

    @Test("the four-lane and the general steady-state loops agree (AR(4) vs AR(5) with φ₅ = 0)")
    func steadyStateLoops() throws {
        var state: UInt64 = 99
        let x = (0..<3000).map { _ -> Double in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        let four = try #require(ARMALikelihood.evaluate(x, ar: [0.3, -0.2, 0.1, 0.05], ma: [0.4, 0.1, -0.2]))
        let five = try #require(ARMALikelihood.evaluate(x, ar: [0.3, -0.2, 0.1, 0.05, 0], ma: [0.4, 0.1, -0.2]))
        #expect(abs(four.logLikelihood - five.logLikelihood) < 1e-9 * abs(four.logLikelihood))
        #expect(abs(four.variance - five.variance) < 1e-12)
    }

    @Test("the seasonal forecaster equals the plain one without a seasonal difference, and seasonal naive for white noise")
    func seasonalForecaster() throws {
        let model = ARMAStateSpace(ar: [0.5, 0.2], ma: [0.3])
        var filter = try #require(ARMAKalmanFilter(model: model))
        let w = (0..<300).map { sin(Double($0) * 0.37) + 0.1 * Double($0 % 7) }
        _ = w.withUnsafeBufferPointer { filter.filter($0) }
        let parameters = ARIMAParameters(mean: 0.05, ar: [0.5, 0.2], ma: [0.3], variance: 1.7)
        for d in 0...2 {
            let y = [3.0, 4.5, 4.0].suffix(max(d, 1))
            let plain = ARIMAForecaster.forecast(filter: filter, parameters: parameters, levels: Array(Differencing.lastLevels(Array(y), order: d)), horizon: 30)
            let general = SeasonalARIMAForecaster.forecast(filter: filter, parameters: parameters, polynomial: DifferencingPolynomial(d: d, period: 1, seasonalOrder: 0),
                                                           history: Array(y.suffix(d)), horizon: 30)
            for h in 0..<30 {
                #expect(abs(plain.mean[h] - general.mean[h]) < 1e-9 * max(1, abs(plain.mean[h])), "d \(d) step \(h)")
                #expect(abs(plain.standardDeviation[h] - general.standardDeviation[h]) < 1e-9 * plain.standardDeviation[h], "d \(d) step \(h)")
            }
        }
        // (1 - B^24) y = ε: the forecast repeats the last day; the variance grows by σ² each day.
        let noise = try #require(ARMAKalmanFilter(model: ARMAStateSpace(ar: [], ma: [])))
        let day = (0..<24).map { Double($0) }
        let white = ARIMAParameters(mean: 0, ar: [], ma: [], variance: 2)
        let forecast = SeasonalARIMAForecaster.forecast(filter: noise, parameters: white, polynomial: DifferencingPolynomial(d: 0, period: 24, seasonalOrder: 1),
                                                        history: day, horizon: 72)
        for h in 0..<72 {
            #expect(forecast.mean[h] == day[h % 24])
            #expect(abs(forecast.standardDeviation[h] - (2 * Double(h / 24 + 1)).squareRoot()) < 1e-12)
        }
    }

    @Test("the differencing polynomial differences and integrates back, NaN staying missing")
    func differencingPolynomial() {
        let poly = DifferencingPolynomial(d: 1, period: 4, seasonalOrder: 1)
        #expect(poly.coefficients == [1, 0, 0, 1, -1])
        let y = (0..<20).map { Double($0 * $0 % 11) }
        let w = poly.difference(y)
        var history = Array(y.prefix(5))
        for (i, value) in w.enumerated() { #expect(poly.integrate(&history, next: value) == y[i + 5]) }
        var holed = y
        holed[9] = .nan
        let wHoled = poly.difference(holed)
        #expect(wHoled.enumerated().filter { $0.element.isNaN }.map { $0.offset + 5 } == [9, 10, 13, 14])
    }

    @Test("GLS regression with white-noise errors is ordinary least squares, and missing rows are skipped")
    func glsRegression() throws {
        let x = (0..<200).map { sin(Double($0) / 5) }
        let ones = [Double](repeating: 1, count: 200)
        let y = (0..<200).map { 2 + 3 * x[$0] + 0.1 * cos(Double($0) * 1.3) }
        let gls = try #require(ARMARegressionGLS.coefficients(response: y, columns: [ones, x], ar: [], ma: []))
        let ols = try #require(LinearRegressionFit(columns: [ones, x], response: y))
        for (a, b) in zip(gls, ols.coefficients) { #expect(abs(a - b) < 1e-10) }
        var holed = y
        for i in stride(from: 0, to: 200, by: 9) { holed[i] = .nan }
        let rows = (0..<200).filter { $0 % 9 != 0 }
        let glsHoled = try #require(ARMARegressionGLS.coefficients(response: holed, columns: [ones, x], ar: [], ma: []))
        let olsHoled = try #require(LinearRegressionFit(columns: [rows.map { _ in 1.0 }, rows.map { x[$0] }], response: rows.map { y[$0] }))
        for (a, b) in zip(glsHoled, olsHoled.coefficients) { #expect(abs(a - b) < 1e-10) }
    }

    @Test("gaps are filled by straight lines for start values, ends by the nearest observation")
    func missingFill() {
        let filled = MissingValues.filled([.nan, 1, .nan, .nan, 4, .nan])
        #expect(filled == [1, 1, 2, 3, 4, 4])
        #expect(MissingValues.observedCount([.nan, 1, 2]) == 2)
        #expect(MissingValues.observedMean([.nan, 1, 2]) == 1.5)
    }
}
