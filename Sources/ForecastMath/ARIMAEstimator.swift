#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fits an ARMA model with an optional mean to an already differenced series.
///
/// Start values from ``HannanRissanen``; the AR and MA coefficients are optimised in
/// the unconstrained space of ``ARMAParameterTransform`` (so every trial is stationary
/// and invertible) by ``BFGSMinimizer``. The mean is optimised on the scale of the
/// series' standard deviation. `σ²` is concentrated out.
public struct ARIMAEstimator: Sendable {
    /// How the coefficients are estimated.
    public enum Method: String, Sendable, Codable, CaseIterable {
        /// Conditional sum of squares to get start values, then exact maximum likelihood (R's default).
        case cssML = "css-ml"
        /// Exact maximum likelihood from Hannan-Rissanen start values.
        case ml
        /// Conditional sum of squares only (fast, approximate).
        case css
    }

    /// The fitting method.
    public var method: Method
    /// The optimiser settings.
    public var minimizer: BFGSMinimizer

    /// Creates an estimator.
    public init(method: Method = .cssML, minimizer: BFGSMinimizer = BFGSMinimizer()) {
        self.method = method
        self.minimizer = minimizer
    }

    /// A fitted ARMA on the differenced series.
    public struct Fit: Sendable {
        /// The specification fitted.
        public var specification: ARIMASpecification
        /// The estimated parameters.
        public var parameters: ARIMAParameters
        /// The log-likelihood (exact, or conditional for ``Method/css``).
        public var logLikelihood: Double
        /// Observations the likelihood covers (`n - d`, or `n - d - p` for CSS).
        public var observations: Int
        /// Whether the optimiser met its tolerance.
        public var converged: Bool
        /// Objective evaluations used.
        public var evaluations: Int
        /// How the published optimum was reached (see ``Route``).
        public var route: Route
        /// The log-likelihood the first attempt stopped at, when a restart did better.
        public var firstAttemptLogLikelihood: Double?

        /// Creates a fit record.
        public init(specification: ARIMASpecification, parameters: ARIMAParameters, logLikelihood: Double,
                    observations: Int, converged: Bool, evaluations: Int, route: Route = .direct,
                    firstAttemptLogLikelihood: Double? = nil) {
            self.specification = specification
            self.parameters = parameters
            self.logLikelihood = logLikelihood
            self.observations = observations
            self.converged = converged
            self.evaluations = evaluations
            self.route = route
            self.firstAttemptLogLikelihood = firstAttemptLogLikelihood
        }

        /// An information criterion of this fit.
        public func criterion(_ ic: InformationCriterion) -> Double {
            ic.value(logLikelihood: logLikelihood, parameters: specification.parameterCount, observations: observations)
        }
    }

    /// Where the published fit came from.
    public enum Route: String, Sendable {
        /// The method's own path (CSS start then exact ML, or exact ML from Hannan-Rissanen).
        case direct
        /// A restart: exact ML from Hannan-Rissanen start values.
        case restartFromHannanRissanen = "restart: exact ML from Hannan-Rissanen"
        /// A restart: exact ML from the nested pure AR(p) (least squares, zero MA).
        case restartFromNestedAR = "restart: exact ML from the nested AR(p)"
        /// A restart: exact ML from white noise (zero AR and MA).
        case restartFromWhiteNoise = "restart: exact ML from zero coefficients"
        /// A restart of a fit with seasonal factors: exact ML from the nested model's optimum, seasonal coefficients 0.
        case restartFromNestedModel = "restart: exact ML from the nested model without the seasonal factors"
    }

    private struct Layout {
        let hasMean: Bool, p: Int, q: Int
        let center: Double, scale: Double
        func decode(_ x: [Double]) -> (mean: Double, ar: [Double], ma: [Double]) {
            var offset = 0
            var mean = 0.0
            if hasMean { mean = center + scale * x[0]; offset = 1 }
            let ar = ARMAParameterTransform.stationaryAR(from: Array(x[offset..<(offset + p)]))
            let ma = ARMAParameterTransform.invertibleMA(from: Array(x[(offset + p)..<(offset + p + q)]))
            return (mean, ar, ma)
        }
        func encode(mean: Double, ar: [Double], ma: [Double]) -> [Double]? {
            guard let uar = ARMAParameterTransform.unconstrainedAR(from: ar),
                  let uma = ARMAParameterTransform.unconstrainedMA(from: ma) else { return nil }
            return (hasMean ? [(mean - center) / scale] : []) + uar + uma
        }
    }

    /// Fits `specification` (its `d` is recorded; `differenced` must already be `Δᵈ y`;
    /// NaN marks a missing value).
    ///
    /// For the exact methods the fit never ends below a nested model's likelihood: when the
    /// first attempt did not converge, or ends below the exact likelihood of the nested pure
    /// AR(p) fitted by least squares (a point of the same parameter space), exact ML restarts
    /// from Hannan-Rissanen, from that AR(p) and from zero coefficients, and the best
    /// optimum found is published, its ``Fit/route`` saying which start reached it.
    ///
    /// A specification with seasonal factors is fitted by exact ML on its factors
    /// (`ARIMAEstimator+SeasonalFactors.swift`); its parameters hold the expanded polynomials.
    ///
    /// Returns `nil` when no finite likelihood could be found.
    public func fit(_ differenced: [Double], specification spec: ARIMASpecification) -> Fit? {
        if spec.hasSeasonalFactors { return fitWithSeasonalFactors(differenced, specification: spec) }
        let observed = MissingValues.observedCount(differenced)
        guard observed > spec.p + spec.q + (spec.constant ? 1 : 0) + 2 else { return nil }
        let sampleMean = MissingValues.observedMean(differenced)
        var squares = 0.0
        for v in differenced where !v.isNaN { squares += (v - sampleMean) * (v - sampleMean) }
        let sd = (squares / Double(observed)).squareRoot()
        let layout = Layout(hasMean: spec.constant, p: spec.p, q: spec.q,
                            center: spec.constant ? sampleMean : 0, scale: sd > 0 ? sd : 1)
        // Recursions for start values need consecutive values: gaps filled by straight lines.
        let filled = MissingValues.filled(differenced)
        let centred = filled.map { $0 - layout.center }
        let start = HannanRissanen.startValues(centred, p: spec.p, q: spec.q)
        var evaluations = 0
        var first: Attempt?
        if method == .ml {
            first = exactFit(differenced, layout: layout, mean: layout.center, ar: start.ar, ma: start.ma, evaluations: &evaluations)
        } else {
            let css = CSSLevenbergMarquardt.fit(filled, estimateMean: spec.constant, mean: layout.center, ar: start.ar, ma: start.ma)
            if method == .css {
                guard let css, layout.encode(mean: css.mean, ar: css.ar, ma: css.ma) != nil, css.count > 0, css.sumOfSquares > 0 else {
                    return nil
                }
                let variance = css.sumOfSquares / Double(css.count)
                let parameters = ARIMAParameters(mean: css.mean, ar: css.ar, ma: css.ma, variance: variance)
                let logLikelihood = -0.5 * Double(css.count) * (log(2 * Double.pi * variance) + 1)
                guard parameters.isFinite, logLikelihood.isFinite else { return nil }
                return Fit(specification: spec, parameters: parameters, logLikelihood: logLikelihood,
                           observations: css.count, converged: true, evaluations: css.passes)
            }
            var mean = layout.center, ar = start.ar, ma = start.ma
            if let css, layout.encode(mean: css.mean, ar: css.ar, ma: css.ma) != nil {
                (mean, ar, ma) = (css.mean, css.ar, css.ma)
                evaluations += css.passes
            }
            first = exactFit(differenced, layout: layout, mean: mean, ar: ar, ma: ma, evaluations: &evaluations)
        }
        // The safeguard: the nested AR(p) by least squares, evaluated exactly.
        var best = first
        var route = Route.direct
        let nestedAR = spec.q > 0 ? HannanRissanen.startValues(centred, p: spec.p, q: 0).ar : start.ar
        let nestedLogLikelihood = ARMALikelihood.evaluate(differenced.map { $0 - layout.center }, ar: nestedAR,
                                                          ma: [Double](repeating: 0, count: spec.q))?.logLikelihood ?? -.infinity
        evaluations += 1
        let suspicious = first.map { !$0.converged || $0.logLikelihood < nestedLogLikelihood - 1e-6 * max(1, abs(nestedLogLikelihood)) } ?? true
        if suspicious {
            var restarts: [(Route, [Double], [Double])] = []
            if method != .ml { restarts.append((.restartFromHannanRissanen, start.ar, start.ma)) }
            restarts.append((.restartFromNestedAR, nestedAR, [Double](repeating: 0, count: spec.q)))
            if spec.p + spec.q > 0 {
                restarts.append((.restartFromWhiteNoise, [Double](repeating: 0, count: spec.p), [Double](repeating: 0, count: spec.q)))
            }
            for (candidateRoute, ar, ma) in restarts {
                guard let attempt = exactFit(differenced, layout: layout, mean: layout.center, ar: ar, ma: ma, evaluations: &evaluations)
                else { continue }
                // A restart must beat the incumbent clearly, so ties keep the method's own path.
                if best == nil || attempt.logLikelihood > best!.logLikelihood + 1e-9 * max(1, abs(best!.logLikelihood)) {
                    best = attempt
                    route = candidateRoute
                }
            }
        }
        guard let best else { return nil }
        let parameters = ARIMAParameters(mean: best.mean, ar: best.ar, ma: best.ma, variance: best.variance)
        guard parameters.isFinite, best.logLikelihood.isFinite, best.variance > 0 else { return nil }
        return Fit(specification: spec, parameters: parameters, logLikelihood: best.logLikelihood,
                   observations: observed, converged: best.converged, evaluations: evaluations, route: route,
                   firstAttemptLogLikelihood: route == .direct ? nil : first?.logLikelihood)
    }

    /// One exact-likelihood optimum.
    private struct Attempt {
        var mean: Double, ar: [Double], ma: [Double]
        var variance: Double, logLikelihood: Double, converged: Bool
    }

    /// Exact ML from `(mean, ar, ma)`: Levenberg-Marquardt on the standardised innovations,
    /// then a BFGS check/polish in the transformed space.
    private func exactFit(_ differenced: [Double], layout: Layout, mean startMean: Double, ar startAR: [Double], ma startMA: [Double],
                          evaluations: inout Int) -> Attempt? {
        func exactObjective(_ x: [Double]) -> Double {
            let (mean, ar, ma) = layout.decode(x)
            guard var filter = ARMAKalmanFilter(model: ARMAStateSpace(ar: ar, ma: ma)) else { return .infinity }
            guard differenced.withUnsafeBufferPointer({ filter.filter($0, offset: mean) }), filter.count > 0 else { return .infinity }
            let n = Double(filter.count)
            let sigma2 = filter.sumSquares / n
            guard sigma2 > 0 else { return .infinity }
            return 0.5 * log(sigma2) + 0.5 * filter.sumLogVariance / n
        }
        var (mean, ar, ma) = (startMean, startAR, startMA)
        if let refined = ExactLevenbergMarquardt.fit(differenced, estimateMean: layout.hasMean, mean: mean, ar: ar, ma: ma,
                                                     meanScale: layout.scale) {
            evaluations += refined.passes
            if layout.encode(mean: refined.mean, ar: refined.ar, ma: refined.ma) != nil {
                (mean, ar, ma) = (refined.mean, refined.ar, refined.ma)
            }
        }
        guard let x = layout.encode(mean: mean, ar: ar, ma: ma) else { return nil }
        let result = minimizer.minimize(start: x, exactObjective)
        evaluations += result.evaluations
        guard result.value.isFinite else { return nil }
        (mean, ar, ma) = layout.decode(result.point)
        guard let likelihood = ARMALikelihood.evaluate(differenced.map { $0 - mean }, ar: ar, ma: ma) else { return nil }
        return Attempt(mean: mean, ar: ar, ma: ma, variance: likelihood.variance, logLikelihood: likelihood.logLikelihood,
                       converged: result.converged)
    }
}
