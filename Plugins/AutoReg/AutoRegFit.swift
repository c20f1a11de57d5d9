import ForecastMath
import PluginKit

/// Training: select the lag count, refit the chosen model, keep what forecasting needs.
///
/// Follows `ar_select_order(y, maxlag, ic, trend, seasonal, period).model.fit()`:
/// the selection holds back `maxlag` observations so that every candidate is compared on
/// the same sample; the chosen order p is then refitted holding back only p observations
/// (statsmodels' default `hold_back`), which is the model that forecasts.
struct AutoRegFit: Sendable {
    /// The options the fit used.
    let options: AutoRegOptions
    /// The selection step.
    let selection: LagOrderSelection
    /// The refitted model.
    let model: AutoRegModel
    /// Observations in the refit (`n - p`).
    let nobs: Int
    /// The refit's criteria as statsmodels' `AutoRegResults` reports them (aic, bic, hqic),
    /// counting `df_model + 1` parameters with `df_model` = the number of coefficients.
    let criteria: [InformationCriterion: Double]

    /// Fits `series` with `options`, reporting progress and honouring cancellation through `host`.
    static func run(_ series: Series, options: AutoRegOptions, host: HostServices) throws(PluginError) -> AutoRegFit {
        try series.requireFinite()
        let terms = options.deterministicTerms
        let maxlag = options.maxlag
        // The selection regresses n - maxlag observations on columnCount + maxlag columns
        // and needs at least one residual degree of freedom.
        let minimum = maxlag + terms.columnCount + maxlag + 1
        try series.requireCount(atLeast: minimum, for: "an autoregression with maxlag \(maxlag) and \(terms.columnCount) deterministic terms")
        let cells = (series.count - maxlag) * (terms.columnCount + maxlag)
        guard cells <= 40_000_000 else {
            throw .invalidArgument("the regression would hold \(cells) numbers (\(series.count) observations x \(terms.columnCount + maxlag) columns); lower maxlag or period, or train on a shorter window")
        }
        host.progress(0, stage: "selecting order")
        try host.checkCancellation()
        let selection = try LagOrderSelection.run(values: series.values, terms: terms, maxlag: maxlag, criterion: options.ic)
        host.progress(0.6, stage: "fitting")
        try host.checkCancellation()

        let p = selection.selected
        let design = LagDesign(values: series.values, terms: terms, lags: p, holdBack: p)
        let fit: LeastSquaresFit
        do {
            fit = try LeastSquares.fit(design: design.matrix, response: design.response)
        } catch {
            throw AutoRegFailure.leastSquares(error, terms: terms, lags: p)
        }
        guard fit.coefficients.allSatisfy(\.isFinite), fit.residualSumOfSquares.isFinite else {
            throw .numerical("the least-squares coefficients are not finite")
        }
        let nobs = fit.observationCount
        let sigma2 = fit.maximumLikelihoodVariance
        guard sigma2 > 0 else {
            throw .numerical("the autoregression fits the series exactly (zero residual variance); intervals would be empty")
        }
        var criteria: [InformationCriterion: Double] = [:]
        for ic in InformationCriterion.allCases {
            criteria[ic] = ic.value(rss: fit.residualSumOfSquares, nobs: nobs, parameters: fit.parameterCount + 1)
        }
        let k = terms.columnCount
        let model = AutoRegModel(
            terms: terms,
            deterministicCoefficients: Array(fit.coefficients[0..<k]),
            lagCoefficients: Array(fit.coefficients[k...]),
            sigma2: sigma2,
            recent: Array(series.values.suffix(p)),
            observationCount: series.count,
            lastTime: series.lastTime,
            stepSeconds: series.stepSeconds)
        host.progress(1, stage: "done")
        return AutoRegFit(options: options, selection: selection, model: model, nobs: nobs, criteria: criteria)
    }
}
