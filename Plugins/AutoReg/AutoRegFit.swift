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
///
/// With several differences (`difference: [24, 1]`, the default) each is fitted so
/// (``AutoRegComponent``) and the model is the autoregression with the average of their
/// level coefficients: its one-step forecast is the average of theirs, and it forecasts
/// further by feeding that average back (which on the benchmark did as well as averaging
/// the components' own multi-step forecasts, and keeps one model to forecast, condition
/// and calibrate). Why: on the
/// real-data benchmark the daily-difference model keeps the daily shape at long leads and
/// the first-difference model follows the last hours better at short ones; their average
/// beats either in every band (docs/autoreg.md).
struct AutoRegFit: Sendable {
    /// The options the fit used.
    let options: AutoRegOptions
    /// One fitted autoregression per difference, in the order of `options.differences`;
    /// the model averages their level coefficients.
    let components: [AutoRegComponent]
    /// The model that forecasts.
    let model: AutoRegModel
    /// Rows in the refit (one component), or the one-step residuals of the combined model.
    let nobs: Int
    /// Missing values in the training series.
    let missing: Int
    /// The model's criteria as statsmodels' `AutoRegResults` reports them (aic, bic, hqic),
    /// counting `df_model + 1` parameters with `df_model` = the number of coefficients
    /// (of all components for a combined model, from its one-step residuals).
    let criteria: [InformationCriterion: Double]

    /// The largest lag count considered by the first component, after capping by the series' length.
    var maxlag: Int { components[0].maxlag }
    /// The first component's selection by information criterion (nil when selected on held-out data).
    var selection: LagOrderSelection? { components[0].selection }
    /// The first component's selection on held-out data (nil when selected by information criterion).
    var holdout: HoldoutSelection? { components[0].holdout }
    /// The first component's lag count p (lags of the differences when differenced).
    var selectedLags: Int { components[0].selectedLags }

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
        let terms = options.deterministicTerms
        let differences = options.differences
        // Every component may reach the same order in levels: maxlag + the largest difference.
        let largest = differences.max()!
        host.progress(0, stage: "selecting order")
        var components: [AutoRegComponent] = []
        for (index, difference) in differences.enumerated() {
            host.progress(0.7 * Double(index) / Double(differences.count), stage: "fitting the lag-\(difference) differences")
            components.append(try AutoRegComponent.run(values: values, difference: difference,
                                                       maxlag: options.maxlag + largest - difference,
                                                       options: options, refit: differences.count == 1, host: host))
        }
        let first = components[0]
        let k = terms.columnCount
        let deterministic: [Double]
        let lags: [Double]
        let sigma2: Double
        let nobs: Int
        var criteria: [InformationCriterion: Double] = [:]
        if components.count == 1 {
            deterministic = first.deterministicCoefficients
            lags = first.levelCoefficients
            nobs = first.observationCount
            sigma2 = nobs > 0 ? first.residualSumOfSquares / Double(nobs) : 0
            for ic in InformationCriterion.autoReg {
                criteria[ic] = ic.value(rss: first.residualSumOfSquares, nobs: nobs, parameters: first.parameterCount + 1)
            }
        } else {
            // The autoregression whose one-step forecast is the average of the components'
            // (linear in the lags, so: the average of their coefficients).
            let order = components.map(\.levelCoefficients.count).max()!
            var d = [Double](repeating: 0, count: k)
            var a = [Double](repeating: 0, count: order)
            let weight = 1 / Double(components.count)
            for component in components {
                for j in 0..<k { d[j] += weight * component.deterministicCoefficients[j] }
                for (j, value) in component.levelCoefficients.enumerated() { a[j] += weight * value }
            }
            deterministic = d
            lags = a
            let residuals = oneStepResiduals(values, terms: terms, deterministic: d, lags: a)
            nobs = residuals.count
            let rss = residuals.reduce(0) { $0 + $1 * $1 }
            guard nobs > 0, rss.isFinite else {
                throw .numerical("the combined autoregression has no finite one-step residuals")
            }
            sigma2 = rss / Double(nobs)
            let parameters = components.reduce(1) { $0 + $1.parameterCount }
            for ic in InformationCriterion.autoReg {
                criteria[ic] = ic.value(rss: rss, nobs: nobs, parameters: parameters)
            }
        }
        guard sigma2 > 0 else {
            throw .numerical("the autoregression fits the series exactly (zero residual variance); intervals would be empty")
        }
        var model = AutoRegModel(
            terms: terms,
            deterministicCoefficients: deterministic,
            lagCoefficients: lags,
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
            let result = IntervalCalibration.run(model: model, observed: values, filled: filled, indexOffset: 0)
            model.calibration = result?.quantiles
            model.phaseScales = result?.phaseScales
        }
        host.progress(1, stage: "done")
        return AutoRegFit(options: options, components: components, model: model, nobs: nobs, missing: missing,
                          criteria: criteria)
    }

    /// The one-step residuals `y[t] - d(t) - sum a_j y[t-j]` at every time index whose
    /// value and lags are all observed.
    static func oneStepResiduals(_ values: [Double], terms: DeterministicTerms, deterministic: [Double],
                                 lags: [Double]) -> [Double] {
        let order = lags.count
        guard values.count > order else { return [] }
        let rows = LagDesign.completeRows(values, lags: order, range: order..<values.count)
        return rows.map { t in
            var prediction = terms.combination(deterministic, at: t)
            for (j, a) in lags.enumerated() { prediction += a * values[t - 1 - j] }
            return values[t] - prediction
        }
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
