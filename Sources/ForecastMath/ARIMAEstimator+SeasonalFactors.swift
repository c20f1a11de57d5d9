#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Exact maximum likelihood for ARIMA(p, d, q)(P, 0, Q)ₛ with `P, Q ≤ 1`: an ARMA whose AR
/// polynomial is `φ(B)(1 - Φ Bˢ)` and MA polynomial `θ(B)(1 + Θ Bˢ)`.
///
/// Why this way: the non-seasonal path's start values and Levenberg-Marquardt steps work on
/// unrestricted polynomials, which would fit all `p + s` (or `q + s`) lags freely. Here the
/// factors are the parameters: `φ` and `θ` through the stationary/invertible transform as
/// elsewhere, `Φ` and `Θ` as `x / √(1 + x²)` in (-1, 1), and the exact likelihood of the
/// expanded polynomials is minimised by BFGS. The start is the nested model's exact optimum
/// (ARIMA(p, d, q), no seasonal factor) with the seasonal coefficients at the lag-`s`
/// autocorrelation of its standardised one-step errors (a first-order guess for either
/// factor), so the first step already points the right way; when that attempt does not
/// converge or ends below the nested likelihood, it restarts from zero seasonal
/// coefficients, exactly the nested optimum, so the published fit is never below the nested
/// model's. Every method (including `css`) fits these models by exact likelihood.
extension ARIMAEstimator {
    /// Fits a specification with seasonal factors (see the extension's comment); `nil` when
    /// no finite likelihood is found. The returned parameters hold the expanded polynomials.
    func fitWithSeasonalFactors(_ differenced: [Double], specification spec: ARIMASpecification) -> Fit? {
        let s = spec.seasonalLag
        guard s > spec.p, s > spec.q else { return nil }
        let observed = MissingValues.observedCount(differenced)
        guard observed > 2 * s + spec.p + spec.q + 3 else { return nil }
        let exact = ARIMAEstimator(method: method == .css ? .cssML : method, minimizer: minimizer)
        guard let nested = exact.fit(differenced, specification: spec.withoutSeasonalFactors) else { return nil }
        let sampleMean = MissingValues.observedMean(differenced)
        var squares = 0.0
        for v in differenced where !v.isNaN { squares += (v - sampleMean) * (v - sampleMean) }
        let sd = (squares / Double(observed)).squareRoot()
        let scale = sd > 0 ? sd : 1
        let center = spec.constant ? sampleMean : 0
        let (p, q, sp, sq) = (spec.p, spec.q, spec.seasonalP, spec.seasonalQ)

        struct Point { var mean: Double, ar: [Double], seasonalAR: Double, ma: [Double], seasonalMA: Double }
        func polynomials(_ point: Point) -> (ar: [Double], ma: [Double]) {
            (sp > 0 ? SeasonalFactorPolynomial.expandedAR(point.ar, seasonal: point.seasonalAR, lag: s) : point.ar,
             sq > 0 ? SeasonalFactorPolynomial.expandedMA(point.ma, seasonal: point.seasonalMA, lag: s) : point.ma)
        }
        func bounded(_ x: Double) -> Double { x / (1 + x * x).squareRoot() }
        func unbounded(_ r: Double) -> Double { r / (1 - r * r).squareRoot() }
        func decode(_ x: [Double]) -> Point {
            var offset = 0
            var mean = 0.0
            if spec.constant { mean = center + scale * x[0]; offset = 1 }
            let ar = ARMAParameterTransform.stationaryAR(from: Array(x[offset..<(offset + p)]))
            offset += p
            let seasonalAR = sp > 0 ? bounded(x[offset]) : 0
            offset += sp
            let ma = ARMAParameterTransform.invertibleMA(from: Array(x[offset..<(offset + q)]))
            offset += q
            let seasonalMA = sq > 0 ? bounded(x[offset]) : 0
            return Point(mean: mean, ar: ar, seasonalAR: seasonalAR, ma: ma, seasonalMA: seasonalMA)
        }
        func encode(_ point: Point) -> [Double]? {
            guard abs(point.seasonalAR) < 1, abs(point.seasonalMA) < 1,
                  let uar = ARMAParameterTransform.unconstrainedAR(from: point.ar),
                  let uma = ARMAParameterTransform.unconstrainedMA(from: point.ma) else { return nil }
            return (spec.constant ? [(point.mean - center) / scale] : []) + uar + (sp > 0 ? [unbounded(point.seasonalAR)] : [])
                + uma + (sq > 0 ? [unbounded(point.seasonalMA)] : [])
        }
        var evaluations = nested.evaluations
        func objective(_ x: [Double]) -> Double {
            let point = decode(x)
            let (ar, ma) = polynomials(point)
            guard var filter = ARMAKalmanFilter(model: ARMAStateSpace(ar: ar, ma: ma)) else { return .infinity }
            guard differenced.withUnsafeBufferPointer({ filter.filter($0, offset: point.mean) }), filter.count > 0 else { return .infinity }
            let n = Double(filter.count)
            let sigma2 = filter.sumSquares / n
            guard sigma2 > 0 else { return .infinity }
            return 0.5 * log(sigma2) + 0.5 * filter.sumLogVariance / n
        }
        struct Attempt { var point: Point, likelihood: ARMALikelihood, converged: Bool }
        func attempt(seasonalStart: Double) -> Attempt? {
            let n = nested.parameters
            guard let x = encode(Point(mean: n.mean, ar: n.ar, seasonalAR: sp > 0 ? seasonalStart : 0, ma: n.ma,
                                       seasonalMA: sp > 0 ? 0 : seasonalStart)) else {
                return nil
            }
            let result = minimizer.minimize(start: x, objective)
            evaluations += result.evaluations
            guard result.value.isFinite else { return nil }
            let point = decode(result.point)
            let (ar, ma) = polynomials(point)
            guard let likelihood = ARMALikelihood.evaluate(differenced.map { $0 - point.mean }, ar: ar, ma: ma) else { return nil }
            return Attempt(point: point, likelihood: likelihood, converged: result.converged)
        }
        // With both factors the guess goes to the AR one only (their sum is what the autocorrelation sees).
        let guess = Self.residualAutocorrelation(differenced, nested: nested, lag: s)
        var best = attempt(seasonalStart: guess)
        let nestedLL = nested.logLikelihood
        var route = Route.direct
        let firstLL = best?.likelihood.logLikelihood
        if best.map({ !$0.converged || $0.likelihood.logLikelihood < nestedLL - 1e-9 * max(1, abs(nestedLL)) }) ?? true {
            if let restart = attempt(seasonalStart: 0),
               best == nil || restart.likelihood.logLikelihood > best!.likelihood.logLikelihood + 1e-9 * max(1, abs(best!.likelihood.logLikelihood)) {
                best = restart
                route = .restartFromNestedModel
            }
        }
        guard let best else { return nil }
        let (ar, ma) = polynomials(best.point)
        let parameters = ARIMAParameters(mean: best.point.mean, ar: ar, ma: ma, variance: best.likelihood.variance)
        guard parameters.isFinite, best.likelihood.logLikelihood.isFinite, best.likelihood.variance > 0 else { return nil }
        return Fit(specification: spec, parameters: parameters, logLikelihood: best.likelihood.logLikelihood,
                   observations: observed, converged: best.converged, evaluations: evaluations, route: route,
                   firstAttemptLogLikelihood: route == .direct ? nil : firstLL)
    }

    /// The lag-`lag` autocorrelation of the nested fit's standardised one-step errors, within ±0.9.
    static func residualAutocorrelation(_ differenced: [Double], nested: Fit, lag: Int) -> Double {
        let parameters = nested.parameters
        guard var filter = ARMAKalmanFilter(model: ARMAStateSpace(ar: parameters.ar, ma: parameters.ma)) else { return 0 }
        var errors = [Double](repeating: 0, count: differenced.count)
        let ok = differenced.withUnsafeBufferPointer { values in
            errors.withUnsafeMutableBufferPointer { filter.filter(values, offset: parameters.mean, standardized: $0.baseAddress) }
        }
        guard ok, errors.count > lag else { return 0 }
        var product = 0.0, squares = 0.0
        for t in errors.indices {
            squares += errors[t] * errors[t]
            if t >= lag { product += errors[t] * errors[t - lag] }
        }
        guard squares > 0 else { return 0 }
        return min(max(product / squares, -0.9), 0.9)
    }
}
