import ForecastMath
import PluginKit

/// One autoregression on one difference of the series (`z[t] = y[t] - y[t-D]`, or the
/// levels for `D = 0`): its lag count selected (by information criterion or held-out
/// error), refitted, and written as the autoregression in levels it implies
/// (``Differencing``).
///
/// A model with several differences (`difference: [24, 1]`) fits one component per
/// difference and averages their level coefficients (``AutoRegFit``); a model with one
/// difference is one component, which is exactly statsmodels' `ar_select_order(...)` +
/// `fit()` when `D = 0`.
struct AutoRegComponent: Sendable {
    /// The difference lag D (0: levels).
    let difference: Int
    /// The largest lag count considered after capping by the series' length.
    let maxlag: Int
    /// The selection by information criterion (nil when selected on held-out data).
    let selection: LagOrderSelection?
    /// The selection on held-out data (nil when selected by information criterion).
    let holdout: HoldoutSelection?
    /// The lag count p of the differences.
    let selectedLags: Int
    /// Rows of the least squares that gave the coefficients.
    let observationCount: Int
    /// Its residual sum of squares.
    let residualSumOfSquares: Double
    /// Its coefficient count (deterministic terms + p).
    let parameterCount: Int
    /// The deterministic coefficients, in column order.
    let deterministicCoefficients: [Double]
    /// The implied coefficients of the levels, a_1 ... a_(p+D).
    let levelCoefficients: [Double]

    /// Selects and fits the component on `values` (NaN = missing) with at most `maxlag`
    /// lags of the differences (before capping by the series' length).
    ///
    /// With `refit` the chosen p is refitted holding back only p observations (statsmodels'
    /// `hold_back`, what parity needs); without it, a lag count chosen by the criterion keeps
    /// its coefficients from the selection's common sample (`maxlag - p` rows fewer, on
    /// tens of thousands: the same model, for half the time).
    static func run(values: [Double], difference: Int, maxlag requested: Int, options: AutoRegOptions,
                    refit: Bool, host: HostServices) throws(PluginError) -> AutoRegComponent {
        let fitted = Differencing.differenced(values, lag: difference)
        let observed = fitted.reduce(0) { $1.isNaN ? $0 : $0 + 1 }
        let terms = options.deterministicTerms
        let maxlag = AutoRegFit.cappedMaxlag(requested, observed: observed, terms: terms)
        let needed = max(AutoRegFit.rowsPerColumn * terms.columnCount + AutoRegFit.rowsPerColumn + 1, AutoRegFit.minimumObserved)
        guard maxlag >= 1, observed >= needed else {
            let what = difference > 0 ? "observed lag-\(difference) differences" : "observed values"
            throw .insufficientData("\(observed) \(what) are too few for an autoregression with \(terms.columnCount) deterministic terms: at least \(needed) are needed")
        }
        let cells = (values.count - maxlag) * (terms.columnCount + maxlag)
        guard cells <= 40_000_000 else {
            throw .invalidArgument("the regression would hold \(cells) numbers (\(values.count) observations x \(terms.columnCount + maxlag) columns); lower maxlag or period, or train on a shorter window")
        }
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
        try host.checkCancellation()

        let k = terms.columnCount
        let coefficients: [Double]
        let observationCount: Int
        let rss: Double
        if !refit, let selection {
            coefficients = selection.nested.coefficients(leadingColumns: k + p)
            observationCount = selection.nested.observationCount
            rss = selection.nested.residualSumOfSquares(leadingColumns: k + p)
        } else {
            let design = LagDesign(values: fitted, terms: terms, lags: p, holdBack: p)
            let fit: LeastSquaresFit
            do {
                fit = try LeastSquares.fit(design: design.matrix, response: design.response)
            } catch {
                throw AutoRegFailure.leastSquares(error, terms: terms, lags: p)
            }
            coefficients = fit.coefficients
            observationCount = fit.observationCount
            rss = fit.residualSumOfSquares
        }
        guard coefficients.allSatisfy(\.isFinite), rss.isFinite else {
            throw .numerical("the least-squares coefficients are not finite")
        }
        return AutoRegComponent(
            difference: difference, maxlag: maxlag, selection: selection, holdout: holdout, selectedLags: p,
            observationCount: observationCount, residualSumOfSquares: rss, parameterCount: k + p,
            deterministicCoefficients: Array(coefficients[0..<k]),
            levelCoefficients: Differencing.levelCoefficients(Array(coefficients[k...]), lag: difference))
    }
}
