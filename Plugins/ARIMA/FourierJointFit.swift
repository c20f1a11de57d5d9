import ForecastMath
import PluginKit

/// Regression on Fourier terms with ARIMA errors, estimated jointly and with the number of
/// harmonics chosen by the information criterion.
///
/// Why this way: the two-stage estimate (least squares of `Δᵈy` on `Δᵈx`, then the ARMA on
/// the residuals) ignores the correlation of the errors, so on strongly autocorrelated
/// weather its cycle is the noisier ordinary-least-squares one. Joint maximum likelihood
/// (as SARIMAX with `exog`) is reached by alternating the exact GLS step for the
/// coefficients (``ARMARegressionGLS``) with the exact ARMA fit, each round raising the
/// likelihood, until it stops rising; this costs a few ARMA fits, not a joint optimiser over
/// `2K` more parameters. For each candidate `K` the order found by the search is kept.
struct FourierJointFit {
    /// The series (NaN = missing), starting and ending with an observation.
    var y: [Double]
    var startTime: Int64
    var stepSeconds: Int64
    var period: Int
    var d: Int
    var estimator: ARIMAEstimator
    var criterion: InformationCriterion
    /// Whether to alternate GLS and ARMA fits (joint ML) or stop after the two-stage estimate.
    var joint: Bool
    /// Rounds of the alternation at most.
    static let maximumRounds = 8

    struct Result {
        var terms: Int
        var coefficients: [Double]
        var z: [Double]
        var w: [Double]
        var fit: ARIMAEstimator.Fit
        var rounds: Int
        var score: Double
    }

    /// The two-stage start: least squares of `Δᵈy` on a constant and `Δᵈx`.
    func twoStage(_ columns: [[Double]]) -> [Double]? {
        let dy = Differencing.difference(y, order: d)
        let design = [[Double](repeating: 1, count: dy.count)] + columns.map { Differencing.difference($0, order: d) }
        guard let fit = ARIMATrainer.regression(columns: design, response: dy) else { return nil }
        return Array(fit.coefficients.dropFirst())
    }

    func residual(_ columns: [[Double]], _ beta: [Double]) -> [Double] {
        (0..<y.count).map { t in
            var value = y[t]
            for j in 0..<columns.count { value -= beta[j] * columns[j][t] }
            return value
        }
    }

    /// Fits `spec` with `terms` harmonics.
    func fit(terms: Int, spec: ARIMASpecification) -> Result? {
        let regressors = FourierRegressors(period: period, terms: terms)
        let columns = regressors.columns(count: y.count, start: startTime, step: stepSeconds)
        guard var beta = twoStage(columns) else { return nil }
        var z = residual(columns, beta)
        var w = Differencing.difference(z, order: d)
        guard var fit = estimator.fit(w, specification: spec) else { return nil }
        var rounds = 0
        if joint {
            let dy = Differencing.difference(y, order: d)
            let differencedColumns = columns.map { Differencing.difference($0, order: d) }
            while rounds < Self.maximumRounds {
                rounds += 1
                // GLS of Δᵈy on [1, Δᵈx] at the current ARMA coefficients (the constant is profiled out here
                // and re-estimated by the ARMA fit).
                let design = (spec.constant ? [[Double](repeating: 1, count: dy.count)] : []) + differencedColumns
                guard let gls = ARMARegressionGLS.coefficients(response: dy, columns: design, ar: fit.parameters.ar, ma: fit.parameters.ma)
                else { break }
                let nextBeta = Array(gls.suffix(columns.count))
                let nextZ = residual(columns, nextBeta)
                let nextW = Differencing.difference(nextZ, order: d)
                guard let next = estimator.fit(nextW, specification: spec), next.logLikelihood > fit.logLikelihood else { break }
                let gain = next.logLikelihood - fit.logLikelihood
                (beta, z, w, fit) = (nextBeta, nextZ, nextW, next)
                if gain < 1e-8 * max(1, abs(fit.logLikelihood)) { break }
            }
        }
        let score = criterion.value(logLikelihood: fit.logLikelihood, parameters: spec.parameterCount + 2 * terms,
                                    observations: fit.observations)
        return Result(terms: terms, coefficients: beta, z: z, w: w, fit: fit, rounds: rounds, score: score)
    }
}
