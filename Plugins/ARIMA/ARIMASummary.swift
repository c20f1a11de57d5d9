#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ForecastMath

/// The JSON fit summary returned with a trained model: order, parameters, criteria, search trace.
struct ARIMASummary {
    var fit: ARIMAEstimator.Fit
    var differencingTest: String?
    var ic: InformationCriterion
    var candidates: [StepwiseOrderSearch.Candidate]
    var fourier: FourierRegressors?
    var fourierCoefficients: [Double]
    var fixedParameters: Bool
    var observations: Int
    /// Missing (NaN) values in the training series.
    var missing: Int
    /// How the Fourier coefficients were estimated.
    var fourierFit: ARIMAOptions.FourierFit
    /// Each number of harmonics tried after the order search, with its criterion and GLS rounds.
    var fourierSearch: [(terms: Int, score: Double, rounds: Int)]
    /// The seasonal differencing period (0 = none).
    var seasonalPeriod = 0
    /// With `seasonal: "auto"`: each structure's validation mean absolute error.
    var seasonalChoice: [(name: String, mae: Double)] = []
    /// Validation errors per lead behind calibrated intervals (empty: Gaussian intervals).
    var calibrationCounts: [Int] = []

    static func log(_ x: Double) -> Double { Glibc.log(x) }

    /// A JSON number, or `null` when not finite.
    static func number(_ value: Double) -> String { value.isFinite ? "\(value)" : "null" }

    static func numbers(_ values: [Double]) -> String { "[" + values.map(number).joined(separator: ",") + "]" }

    /// The non-seasonal AR and MA factors and the seasonal AR and MA coefficients (`nil` without one).
    var factors: (ar: [Double], ma: [Double], seasonalAR: Double?, seasonalMA: Double?) {
        let spec = fit.specification
        var result: (ar: [Double], ma: [Double], seasonalAR: Double?, seasonalMA: Double?) = (fit.parameters.ar, fit.parameters.ma, nil, nil)
        if spec.hasSeasonalFactors, spec.seasonalP > 0 {
            let f = SeasonalFactorPolynomial.factors(expanded: fit.parameters.ar, order: spec.p, lag: spec.seasonalLag)
            (result.ar, result.seasonalAR) = (f.coefficients, f.seasonal)
        }
        if spec.hasSeasonalFactors, spec.seasonalQ > 0 {
            let f = SeasonalFactorPolynomial.factors(expanded: fit.parameters.ma, order: spec.q, lag: spec.seasonalLag)
            (result.ma, result.seasonalMA) = (f.coefficients, f.seasonal)
        }
        return result
    }

    /// The parameters in statsmodels' order: intercept (if any), AR, MA, seasonal AR, seasonal MA (if any), σ².
    var statsmodelsParameters: [Double] {
        let p = fit.parameters
        let f = factors
        return (fit.specification.constant ? [p.intercept] : []) + f.ar + f.ma + (f.seasonalAR.map { [$0] } ?? [])
            + (f.seasonalMA.map { [$0] } ?? []) + [p.variance]
    }

    /// One line saying what was fitted, e.g. "ARIMA(2,0,3) with constant + 2 Fourier pairs
    /// (period 24)": the summary's `description`, which the server shows with every forecast.
    var description: String {
        var text = "\(fit.specification)"
        if seasonalPeriod > 0 { text += " on the lag-\(seasonalPeriod) difference" }
        if let fourier, fourier.terms > 0 {
            text += " + \(fourier.terms) Fourier pair\(fourier.terms == 1 ? "" : "s") (period \(fourier.period))"
        }
        return text
    }

    var json: String {
        let spec = fit.specification
        let k = spec.parameterCount, n = fit.observations, ll = fit.logLikelihood
        var fields: [String] = [
            "\"model\":\"\(spec)\"",
            "\"description\":\"\(description)\"",
            "\"order\":[\(spec.p),\(spec.d),\(spec.q)]",
            "\"constant\":\(spec.constant)",
            "\"params\":\(Self.numbers(statsmodelsParameters))",
            "\"mean\":\(Self.number(fit.parameters.mean))",
            "\"sigma2\":\(Self.number(fit.parameters.variance))",
            "\"loglike\":\(Self.number(ll))",
            "\"aic\":\(Self.number(InformationCriterion.aic.value(logLikelihood: ll, parameters: k, observations: n)))",
            "\"aicc\":\(Self.number(InformationCriterion.aicc.value(logLikelihood: ll, parameters: k, observations: n)))",
            "\"bic\":\(Self.number(InformationCriterion.bic.value(logLikelihood: ll, parameters: k, observations: n)))",
            "\"ic\":\"\(ic.rawValue)\"",
            "\"nobs\":\(observations)",
            "\"nobs_effective\":\(n)",
            "\"nobs_missing\":\(missing)",
            "\"converged\":\(fit.converged)",
            "\"estimation\":\"\(fit.route.rawValue)\"",
            "\"evaluations\":\(fit.evaluations)",
            "\"fixed_params\":\(fixedParameters)",
        ]
        if let first = fit.firstAttemptLogLikelihood { fields.append("\"first_attempt_loglike\":\(Self.number(first))") }
        if seasonalPeriod > 0 { fields.append("\"seasonal_difference\":\(seasonalPeriod)") }
        if spec.hasSeasonalFactors {
            let f = factors
            fields.append("\"seasonal_order\":[\(spec.seasonalP),\(spec.seasonalQ)],\"seasonal_lag\":\(spec.seasonalLag)")
            if let value = f.seasonalAR { fields.append("\"seasonal_ar\":\(Self.number(value))") }
            if let value = f.seasonalMA { fields.append("\"seasonal_ma\":\(Self.number(value))") }
        }
        if !seasonalChoice.isEmpty {
            let list = seasonalChoice.map { "{\"structure\":\"\($0.name)\",\"validation_mae\":\(Self.number($0.mae))}" }
            fields.append("\"seasonal_choice\":[" + list.joined(separator: ",") + "]")
        }
        if calibrationCounts.isEmpty {
            fields.append("\"intervals\":\"gaussian\"")
        } else {
            let least = calibrationCounts.min() ?? 0
            fields.append("\"intervals\":\"calibrated\",\"calibration_errors_min\":\(least)")
        }
        if let differencingTest { fields.append("\"d_test\":\"\(differencingTest)\"") }
        if let fourier {
            let tried = fourierSearch.map { "{\"terms\":\($0.terms),\"\(ic.rawValue)\":\(Self.number($0.score)),\"gls_rounds\":\($0.rounds)}" }
            fields.append("\"fourier\":{\"period\":\(fourier.period),\"terms\":\(fourier.terms),\"fit\":\"\(fourierFit.rawValue)\"," +
                          "\"coefficients\":\(Self.numbers(fourierCoefficients)),\"tried\":[\(tried.joined(separator: ","))]}")
        }
        if !candidates.isEmpty {
            let list = candidates.map { c in
                "{\"order\":[\(c.specification.p),\(c.specification.d),\(c.specification.q)],\"constant\":\(c.specification.constant),\"\(ic.rawValue)\":\(Self.number(c.score))}"
            }
            fields.append("\"candidates\":[" + list.joined(separator: ",") + "]")
        }
        return "{" + fields.joined(separator: ",") + "}"
    }
}
