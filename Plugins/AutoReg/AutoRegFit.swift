import ForecastMath
import PluginKit

/// Training: cap the lag count by the series' length, select it, refit the chosen
/// model, calibrate its intervals, keep what forecasting needs.
///
/// With `selection: ic` this follows `ar_select_order(y, maxlag, ic, trend, seasonal,
/// period).model.fit()`: the selection holds back `maxlag` observations so that every
/// candidate is compared on the same sample; the chosen order p is then refitted holding
/// back only p observations (statsmodels' default `hold_back`), which is the model that
/// forecasts. Missing values (NaN) drop the rows whose response or lags they touch
/// (``LagDesign``); the forecast starts from the end with missing values filled by the
/// model's own one-step forecasts.
struct AutoRegFit: Sendable {
    /// The options the fit used.
    let options: AutoRegOptions
    /// The largest lag count considered after capping by the series' length.
    let maxlag: Int
    /// The selection by information criterion (nil when selected on held-out data).
    let selection: LagOrderSelection?
    /// The selection on held-out data (nil when selected by information criterion).
    let holdout: HoldoutSelection?
    /// The refitted model.
    let model: AutoRegModel
    /// Rows in the refit.
    let nobs: Int
    /// Missing values in the training series.
    let missing: Int
    /// The lag count p of the regression (lags of the differences when differenced).
    let selectedLags: Int
    /// The refit's criteria as statsmodels' `AutoRegResults` reports them (aic, bic, hqic),
    /// counting `df_model + 1` parameters with `df_model` = the number of coefficients.
    let criteria: [InformationCriterion: Double]

    /// At least this many complete rows per regression column: the cap on the lag count.
    static let rowsPerColumn = 5
    /// At least two days of observed values (of differences, when differenced): fewer
    /// give coefficients so uncertain that long forecasts can explode.
    static let minimumObserved = 48

    /// The largest lag count a series with `observed` values affords with `terms`:
    /// `maxlag` unless the regression would have fewer than ``rowsPerColumn`` rows per
    /// column (a two-week series, 336 hours, with 23 seasonal dummies and a constant gets
    /// 36 lags, not 120).
    static func cappedMaxlag(_ maxlag: Int, observed: Int, terms: DeterministicTerms) -> Int {
        // rows = observed - m >= rowsPerColumn * (terms + m)
        let affordable = (observed - rowsPerColumn * terms.columnCount) / (rowsPerColumn + 1)
        return min(maxlag, affordable)
    }

    /// Fits `series` with `options`, reporting progress and honouring cancellation through `host`.
    static func run(_ series: Series, options: AutoRegOptions, host: HostServices) throws(PluginError) -> AutoRegFit {
        let values = series.values
        if let index = values.firstIndex(where: { $0.isInfinite }) {
            throw .invalidData("observation \(index) of \(values.count) is \(values[index]); values must be finite or NaN (missing)")
        }
        let missing = values.reduce(0) { $1.isNaN ? $0 + 1 : $0 }
        let difference = options.difference
        let fitted = Differencing.differenced(values, lag: difference)
        let observed = fitted.reduce(0) { $1.isNaN ? $0 : $0 + 1 }
        let terms = options.deterministicTerms
        let maxlag = cappedMaxlag(options.maxlag, observed: observed, terms: terms)
        let needed = max(rowsPerColumn * terms.columnCount + rowsPerColumn + 1, minimumObserved)
        guard maxlag >= 1, observed >= needed else {
            let what = difference > 0 ? "observed lag-\(difference) differences" : "observed values"
            throw .insufficientData("\(observed) \(what) are too few for an autoregression with \(terms.columnCount) deterministic terms: at least \(needed) are needed")
        }
        let cells = (values.count - maxlag) * (terms.columnCount + maxlag)
        guard cells <= 40_000_000 else {
            throw .invalidArgument("the regression would hold \(cells) numbers (\(values.count) observations x \(terms.columnCount + maxlag) columns); lower maxlag or period, or train on a shorter window")
        }
        host.progress(0, stage: "selecting order")
        try host.checkCancellation()
        var selection: LagOrderSelection?
        var holdout: HoldoutSelection?
        if options.selection == .holdout {
            holdout = try HoldoutSelection.run(values: values, fitted: fitted, difference: difference, terms: terms,
                                               maxlag: maxlag, bounds: options.bounds)
        }
        if holdout == nil {
            selection = try LagOrderSelection.run(values: fitted, terms: terms, maxlag: maxlag, criterion: options.ic)
        }
        let p = holdout?.selected ?? selection!.selected
        host.progress(0.5, stage: "fitting")
        try host.checkCancellation()

        let design = LagDesign(values: fitted, terms: terms, lags: p, holdBack: p)
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
        var model = AutoRegModel(
            terms: terms,
            deterministicCoefficients: Array(fit.coefficients[0..<k]),
            lagCoefficients: Differencing.levelCoefficients(Array(fit.coefficients[k...]), lag: difference),
            sigma2: sigma2,
            recent: [],
            observationCount: series.count,
            lastTime: series.lastTime,
            stepSeconds: series.stepSeconds,
            bounds: options.bounds)
        host.progress(0.8, stage: "calibrating")
        try host.checkCancellation()
        let filled = fillMissing(values, model: model)
        model = AutoRegModel(
            terms: terms, deterministicCoefficients: model.deterministicCoefficients,
            lagCoefficients: model.lagCoefficients, sigma2: sigma2, recent: Array(filled.suffix(model.order)),
            observationCount: series.count, lastTime: series.lastTime, stepSeconds: series.stepSeconds,
            bounds: options.bounds)
        if options.intervals == .calibrated {
            model.calibration = IntervalCalibration.run(model: model, observed: values, filled: filled, indexOffset: 0)
        }
        host.progress(1, stage: "done")
        return AutoRegFit(options: options, maxlag: maxlag, selection: selection, holdout: holdout, model: model,
                          nobs: nobs, missing: missing, selectedLags: p, criteria: criteria)
    }

    /// `values` with every NaN replaced by the model's one-step forecast from the values
    /// before it; NaN among the first p values (no full lag history yet) take the first
    /// observed value.
    static func fillMissing(_ values: [Double], model: AutoRegModel) -> [Double] {
        let p = min(model.order, values.count)
        guard values.contains(where: \.isNaN) else { return values }
        let first = values.first(where: { !$0.isNaN }) ?? 0
        let head = values[0..<p].map { $0.isNaN ? first : $0 }
        return model.filling(Array(values[p...]), after: head, firstIndex: p)
    }
}
