import ForecastMath
import PluginKit

/// Lag-count selection by the error of real multi-step forecasts on data the fit has not
/// seen: every `p = 0 ... maxlag` is fitted on the training data before its last weeks,
/// then forecasts `leads` hours ahead from origins spread over those weeks, and the `p`
/// with the smallest mean absolute error wins.
///
/// Why: an information criterion scores one-step fit on the data it was fitted on; on
/// long real series AIC keeps adding lags (up to the bound) whose small in-sample gains
/// do not survive multi-step forecasting. The service forecasts up to three days ahead,
/// so that is what is scored. The candidates are nested, so one Householder QR of the
/// `maxlag` design gives every candidate's coefficients (``NestedLeastSquares``), and
/// the whole search costs one factorisation plus the forecasts.
struct HoldoutSelection: Sendable {
    /// Mean absolute forecast error for p = 0 ... maxlag.
    let scores: [Double]
    /// The chosen lag count.
    let selected: Int
    /// Forecast origins scored.
    let origins: Int
    /// Observations at the end held out of the candidates' fits.
    let heldOut: Int

    /// The leads scored: the service's three days.
    static let leads = 72
    /// The held-out stretch: four weeks of origins plus the last origin's leads.
    static let originSpan = 28 * 24
    /// Hours between origins (prime to 24, so every hour of the day is an origin).
    static let originStride = 5

    /// Runs the search, or returns nil when the series is too short to hold out
    /// ``originSpan`` + ``leads`` observations and still fit `maxlag` lags on the rest
    /// (the caller then selects by the information criterion).
    /// `values` is the series, `fitted` what the regression models (the series or its
    /// differences at lag `difference`, see ``Differencing``); errors are scored on `values`.
    static func run(values: [Double], fitted: [Double], difference: Int, terms: DeterministicTerms, maxlag: Int,
                    bounds: ClosedRange<Double>?) throws(PluginError) -> HoldoutSelection? {
        let n = values.count
        let heldOut = originSpan + leads
        let fitEnd = n - heldOut
        let columns = terms.columnCount + maxlag
        guard fitEnd - maxlag >= 5 * columns else { return nil }
        guard fitEnd > maxlag + difference else { return nil }
        let design = LagDesign(values: fitted, terms: terms, lags: maxlag, holdBack: maxlag, count: fitEnd)
        guard design.rows.count >= 5 * columns else { return nil }
        let nested: NestedLeastSquares
        do {
            nested = try NestedLeastSquares(design: design.matrix, response: design.response)
        } catch {
            throw AutoRegFailure.leastSquares(error, terms: terms, lags: maxlag)
        }
        // Origins whose maxlag preceding values are all observed: every candidate is
        // scored on the same forecasts.
        var origins: [Int] = []
        var origin = fitEnd
        while origin + leads <= n {
            if !values[(origin - maxlag - difference)..<origin].contains(where: \.isNaN) { origins.append(origin) }
            origin += originStride
        }
        guard !origins.isEmpty else { return nil }
        let k = terms.columnCount
        var scores: [Double] = []
        scores.reserveCapacity(maxlag + 1)
        values.withUnsafeBufferPointer { path in
            for p in 0...maxlag {
                let coefficients = nested.coefficients(leadingColumns: k + p)
                let candidate = AutoRegModel(
                    terms: terms, deterministicCoefficients: Array(coefficients[0..<k]),
                    lagCoefficients: Differencing.levelCoefficients(Array(coefficients[k...]), lag: difference),
                    sigma2: 1, recent: [],
                    observationCount: 0, lastTime: 0, stepSeconds: 1, bounds: bounds)
                var total = 0.0
                var count = 0
                for origin in origins {
                    let mean = candidate.meanPath(after: path, end: origin, firstIndex: origin, horizon: leads)
                    for h in 0..<leads where !values[origin + h].isNaN {
                        total += abs(values[origin + h] - mean[h])
                        count += 1
                    }
                }
                // An explosive candidate overflows: it is simply never chosen.
                scores.append(count > 0 && total.isFinite ? total / Double(count) : .infinity)
            }
        }
        guard scores.contains(where: \.isFinite) else {
            throw .numerical("the held-out forecast errors are not finite; the series cannot be modelled by an autoregression")
        }
        var best = 0
        for p in 1...max(maxlag, 1) where p <= maxlag && scores[p] < scores[best] { best = p }
        return HoldoutSelection(scores: scores, selected: best, origins: origins.count, heldOut: heldOut)
    }
}
