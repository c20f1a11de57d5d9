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

        /// Creates a fit record.
        public init(specification: ARIMASpecification, parameters: ARIMAParameters, logLikelihood: Double,
                    observations: Int, converged: Bool, evaluations: Int) {
            self.specification = specification
            self.parameters = parameters
            self.logLikelihood = logLikelihood
            self.observations = observations
            self.converged = converged
            self.evaluations = evaluations
        }

        /// An information criterion of this fit.
        public func criterion(_ ic: InformationCriterion) -> Double {
            ic.value(logLikelihood: logLikelihood, parameters: specification.parameterCount, observations: observations)
        }
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

    /// Fits `specification` (its `d` is recorded; `differenced` must already be `Δᵈ y`).
    ///
    /// Returns `nil` when no finite likelihood could be found.
    public func fit(_ differenced: [Double], specification spec: ARIMASpecification) -> Fit? {
        let n = differenced.count
        guard n > spec.p + spec.q + (spec.constant ? 1 : 0) + 2 else { return nil }
        let sampleMean = differenced.reduce(0, +) / Double(n)
        let sd = (differenced.reduce(0) { $0 + ($1 - sampleMean) * ($1 - sampleMean) } / Double(n)).squareRoot()
        let layout = Layout(hasMean: spec.constant, p: spec.p, q: spec.q,
                            center: spec.constant ? sampleMean : 0, scale: sd > 0 ? sd : 1)
        func exactObjective(_ x: [Double]) -> Double {
            let (mean, ar, ma) = layout.decode(x)
            guard var filter = ARMAKalmanFilter(model: ARMAStateSpace(ar: ar, ma: ma)) else { return .infinity }
            guard differenced.withUnsafeBufferPointer({ filter.filter($0, offset: mean) }) else { return .infinity }
            let sigma2 = filter.sumSquares / Double(n)
            guard sigma2 > 0 else { return .infinity }
            return 0.5 * log(sigma2) + 0.5 * filter.sumLogVariance / Double(n)
        }
        let centred = differenced.map { $0 - layout.center }
        let start = HannanRissanen.startValues(centred, p: spec.p, q: spec.q)
        var mean = layout.center, ar = start.ar, ma = start.ma
        var evaluations = 0
        var converged = true
        var css: CSSLevenbergMarquardt.Result?
        if method != .ml {
            css = CSSLevenbergMarquardt.fit(differenced, estimateMean: spec.constant, mean: mean, ar: ar, ma: ma)
            if let css, layout.encode(mean: css.mean, ar: css.ar, ma: css.ma) != nil {
                mean = css.mean
                ar = css.ar
                ma = css.ma
                evaluations += css.passes
            } else if method == .css {
                return nil
            }
        }
        if method != .css {
            // Gauss-Newton steps on the exact likelihood, then a quasi-Newton check/polish.
            if let refined = ExactLevenbergMarquardt.fit(differenced, estimateMean: spec.constant, mean: mean, ar: ar, ma: ma,
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
            converged = result.converged
        }
        let logLikelihood: Double
        let variance: Double
        let observations: Int
        if method == .css, let css {
            guard css.count > 0, css.sumOfSquares > 0 else { return nil }
            variance = css.sumOfSquares / Double(css.count)
            observations = css.count
            logLikelihood = -0.5 * Double(css.count) * (log(2 * Double.pi * variance) + 1)
        } else {
            guard let likelihood = ARMALikelihood.evaluate(differenced.map { $0 - mean }, ar: ar, ma: ma) else { return nil }
            variance = likelihood.variance
            observations = n
            logLikelihood = likelihood.logLikelihood
        }
        let parameters = ARIMAParameters(mean: mean, ar: ar, ma: ma, variance: variance)
        guard parameters.isFinite, logLikelihood.isFinite, variance > 0 else { return nil }
        return Fit(specification: spec, parameters: parameters, logLikelihood: logLikelihood,
                   observations: observations, converged: converged, evaluations: evaluations)
    }
}
