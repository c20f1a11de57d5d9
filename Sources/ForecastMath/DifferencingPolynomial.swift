/// The differencing operator `δ(B) = (1 - B)ᵈ (1 - Bˢ)ᴰ` of a seasonal ARIMA, and its inverse.
///
/// Why: a fixed regression cycle (Fourier terms) keeps the daily shape of the months it was
/// fitted on, while seasonal differencing lets the model carry yesterday's shape forward,
/// as seasonal naive does, with the ARMA part correcting it. Written as one polynomial
/// `δ(B) = 1 - Σ δᵢ* Bⁱ`, differencing is `wₜ = yₜ - Σ δᵢ* yₜ₋ᵢ`, integration is its
/// recursion, and the forecast error of `y` is the error of `w` passed through `1/δ(B)`,
/// which is how ``SeasonalARIMAForecaster`` gets exact intervals.
public struct DifferencingPolynomial: Sendable, Equatable {
    /// `δᵢ*` for `i = 1...order` (`δ(B) = 1 - Σ δᵢ* Bⁱ`).
    public let coefficients: [Double]
    /// The lags `i` with `δᵢ* ≠ 0` (a zero coefficient must not turn a missing value into NaN).
    public let lags: [Int]

    /// `(1 - B)^d (1 - B^period)^seasonalOrder`.
    public init(d: Int, period: Int, seasonalOrder: Int) {
        var poly: [Double] = [1]   // δ(B) coefficients of B⁰, B¹, …
        func multiply(_ factor: [Double]) {
            var out = [Double](repeating: 0, count: poly.count + factor.count - 1)
            for (i, a) in poly.enumerated() { for (j, b) in factor.enumerated() { out[i + j] += a * b } }
            poly = out
        }
        for _ in 0..<d { multiply([1, -1]) }
        if seasonalOrder > 0 {
            var seasonal = [Double](repeating: 0, count: period + 1)
            seasonal[0] = 1
            seasonal[period] = -1
            for _ in 0..<seasonalOrder { multiply(seasonal) }
        }
        let star = poly.dropFirst().map { -$0 }
        coefficients = star
        lags = star.indices.filter { star[$0] != 0 }.map { $0 + 1 }
    }

    /// The number of past values one difference needs.
    public var order: Int { coefficients.count }

    /// `δ(B) values` (length `count - order`); a difference touching a NaN is NaN.
    public func difference(_ values: [Double]) -> [Double] {
        let k = order
        guard values.count > k else { return [] }
        return (k..<values.count).map { t in
            var w = values[t]
            for i in lags { w -= coefficients[i - 1] * values[t - i] }
            return w
        }
    }

    /// The next `y` from the difference `w` and the last `order` values (`history`, oldest
    /// first), which are advanced by the new value.
    public func integrate(_ history: inout [Double], next w: Double) -> Double {
        let k = order
        var y = w
        for i in lags { y += coefficients[i - 1] * history[k - i] }
        if k > 0 {
            history.removeFirst()
            history.append(y)
        }
        return y
    }

    /// The difference of a new `y` given the last `order` values, which are advanced by it.
    public func differenceNext(_ history: inout [Double], value y: Double) -> Double {
        let k = order
        var w = y
        for i in lags { w -= coefficients[i - 1] * history[k - i] }
        if k > 0 {
            history.removeFirst()
            history.append(y)
        }
        return w
    }
}

/// Forecasts of a model whose `δ(B) y` is an ARMA, from the end of the ARMA's Kalman filter.
///
/// The error of `wₙ₊ₕ` is `e₁ᵀTʰ⁻¹ ξ + Σₖ₌₂ʰ ψₕ₋ₖ εₙ₊ₖ` (`ξ ~ N(0, σ²P)` the state error);
/// the error of `yₙ₊ₕ` is `Σ δᵢ* eʸₙ₊ₕ₋ᵢ + eʷₙ₊ₕ`, so its coefficients on `ξ` and on each
/// shock follow the same recursion, and the variance is exact for the model (`O(h (r + h) k)`).
public enum SeasonalARIMAForecaster {
    /// Point forecasts and standard deviations for `horizon` steps; `history` holds the last
    /// `polynomial.order` values of the series (oldest first).
    public static func forecast(filter: ARMAKalmanFilter, parameters: ARIMAParameters, polynomial: DifferencingPolynomial,
                                history: [Double], horizon: Int) -> (mean: [Double], standardDeviation: [Double]) {
        let model = filter.model
        let r = model.dimension
        let psi = model.psiWeights(max(horizon, 1))
        var state = filter.state
        let p = filter.covariance
        var past = history
        var means = [Double](repeating: 0, count: horizon)
        var deviations = [Double](repeating: 0, count: horizon)
        // Error coefficients of y_{n+h}: on ξ (r) and on ε_{n+2}, …, ε_{n+horizon} (horizon - 1).
        var stateRows: [[Double]] = []
        var shockRows: [[Double]] = []
        var g = [Double](repeating: 0, count: r)
        g[0] = 1
        for h in 1...max(horizon, 1) where h <= horizon {
            means[h - 1] = polynomial.integrate(&past, next: parameters.mean + state[0])
            var stateRow = g
            var shockRow = [Double](repeating: 0, count: max(horizon - 1, 0))
            for j in 2...max(h, 2) where j <= h { shockRow[j - 2] = psi[h - j] }
            for i in polynomial.lags where h - i >= 1 {
                let c = polynomial.coefficients[i - 1]
                let sr = stateRows[h - i - 1], er = shockRows[h - i - 1]
                for a in 0..<r { stateRow[a] += c * sr[a] }
                for a in 0..<shockRow.count { shockRow[a] += c * er[a] }
            }
            var quadratic = 0.0
            for i in 0..<r {
                var s = 0.0
                for j in 0..<r { s += p[i * r + j] * stateRow[j] }
                quadratic += stateRow[i] * s
            }
            let shocks = shockRow.reduce(0) { $0 + $1 * $1 }
            deviations[h - 1] = (parameters.variance * max(quadratic + shocks, 0)).squareRoot()
            stateRows.append(stateRow)
            shockRows.append(shockRow)
            state = model.transition(state)
            var next = [Double](repeating: 0, count: r)
            for i in 0..<r { next[0] += g[i] * model.phi[i] }
            for j in 1..<max(r, 1) { next[j] = g[j - 1] }
            g = next
        }
        return (means, deviations)
    }
}
