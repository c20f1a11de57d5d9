import ForecastMath
import PluginKit

/// Lag-count selection as statsmodels' `ar_select_order` (with `glob=False`) does it.
///
/// Every candidate `p = 0 ... maxlag` is fitted on the SAME sample (the first `maxlag`
/// observations held back), with the deterministic terms plus lags 1...p, and ranked by
/// the chosen criterion; the smallest value wins, the shorter model on a tie.
///
/// The candidates are nested (each adds one column to the previous), so one Householder
/// QR of the full `maxlag` design yields every candidate's residual sum of squares
/// (``NestedLeastSquares``): one factorisation instead of `maxlag + 1` regressions.
///
/// Parameters are counted as statsmodels does: `df_model + 1`, where `df_model` is the
/// regression's column count minus one when the columns span a constant (an explicit
/// constant or a full set of seasonal dummies), and 0 for a model without regressors.
struct LagOrderSelection: Sendable {
    /// Criteria for p = 0...maxlag, by criterion.
    let criteria: [InformationCriterion: [Double]]
    /// The criterion that chose.
    let criterion: InformationCriterion
    /// The chosen lag count.
    let selected: Int
    /// Observations in the common sample (`n - maxlag`).
    let nobs: Int
    /// The factorisation of the full `maxlag` design, which also gives every candidate's
    /// coefficients on the common sample.
    let nested: NestedLeastSquares

    /// Runs the selection on `values`.
    static func run(values: [Double], terms: DeterministicTerms, maxlag: Int,
                    criterion: InformationCriterion) throws(PluginError) -> LagOrderSelection {
        let design = LagDesign(values: values, terms: terms, lags: maxlag, holdBack: maxlag)
        let nested: NestedLeastSquares
        do {
            nested = try NestedLeastSquares(design: design.matrix, response: design.response)
        } catch {
            throw AutoRegFailure.leastSquares(error, terms: terms, lags: maxlag)
        }
        let nobs = design.response.count
        let deterministic = terms.columnCount
        var criteria: [InformationCriterion: [Double]] = [:]
        for ic in InformationCriterion.autoReg { criteria[ic] = [] }
        for p in 0...maxlag {
            let columns = deterministic + p
            let rss = nested.residualSumOfSquares(leadingColumns: columns)
            let dfModel = columns == 0 ? 0 : columns - (terms.spansConstant ? 1 : 0)
            for ic in InformationCriterion.autoReg {
                criteria[ic]!.append(ic.value(rss: rss, nobs: nobs, parameters: dfModel + 1))
            }
        }
        let ranked = criteria[criterion]!
        guard ranked.allSatisfy(\.isFinite) else {
            throw .numerical("the information criteria are not finite (a perfect fit or a degenerate series); the series cannot be modelled by an autoregression")
        }
        var best = 0
        for p in 1...maxlag where ranked[p] < ranked[best] { best = p }
        return LagOrderSelection(criteria: criteria, criterion: criterion, selected: best, nobs: nobs, nested: nested)
    }
}
