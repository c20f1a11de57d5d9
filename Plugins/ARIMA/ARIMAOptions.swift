import ForecastMath
import PluginKit

/// The ARIMA plugin's options, decoded from the JSON the host passes to `train`.
///
/// Every key is optional; absent keys take the defaults below (see docs/arima.md).
struct ARIMAOptions: Sendable, Decodable {
    /// A fixed `[p, d, q]`: skip the order search.
    var order: [Int]?
    /// Fixed parameters in statsmodels' order (intercept if any, AR, MA, σ²): skip estimation. Needs `order`.
    var params: [Double]?
    var startP = 1
    var startQ = 1
    var maxP = 3
    var maxQ = 3
    /// The order of differencing; `nil` means "choose with the unit-root test".
    var d: Int?
    var maxD = 2
    var test = UnitRootDifferencing.Test.adf
    var alpha = 0.05
    var ic = InformationCriterion.aic
    var stepwise = true
    /// The grid bound on `p + q` when `stepwise` is false.
    var maxOrder = 5
    /// `nil` = automatic (a constant when `d < 2`, as pmdarima's `with_intercept='auto'`).
    var withConstant: Bool?
    var seasonal = Seasonal.auto
    var period = 24
    var fourierTerms = 2
    /// When set, the number of harmonics is chosen in `1...maxFourierTerms` by the criterion
    /// (for the order the search found with `fourierTerms`).
    var maxFourierTerms: Int?
    /// How the Fourier coefficients are estimated.
    var fourierFit = FourierFit.twoStage
    var method = ARIMAEstimator.Method.cssML
    /// Search with CSS fits, then refit the winner by exact likelihood (R's `approximation`).
    /// Off by default: every candidate is fitted exactly, as pmdarima does.
    var approximation = false
    var maxIterations = 200
    /// The variable's physical range `[lower, upper]`: forecasts and interval bounds are
    /// quantiles of the Gaussian forecast censored to it (so they are clamped into it).
    var bounds: [Double]?
    /// With `seasonal: "auto"`: the candidates are fitted on at most this many steps before
    /// the validated part (`nil` in JSON = all of them).
    var maxFitPoints: Int? = 8760
    /// With `seasonal: "auto"`: intervals from the chosen model's own standardised errors per
    /// lead at validation origins at the forecast's hour of the day (`calibrated`, the
    /// default, recalibrated when conditioning on four weeks or more) or its Gaussian ones.
    var intervals = Intervals.calibrated
    /// When conditioning re-estimates the daily cycle on the newest weeks: re-estimate the
    /// mean (for `d = 0`; the drift for `d = 1`) with it, so that a model without
    /// differencing falls back to the newest weeks' level rather than its training data's.
    /// Off by default; plugins.json turns it on for temperature (see docs/arima.md).
    var followLevel = false

    /// `[P, Q]`: multiplicative seasonal AR and MA factors `(1 - Φ Bˢ)`, `(1 + Θ Bˢ)` at lag
    /// `s = period`, each order 0 or 1. With `seasonal: "fourier"`, `"none"` or `"difference"`
    /// the model is ARIMA(p,d,q)(P,D,Q)ₛ (the order found without the factors, then the
    /// factors added; absent = `[0, 0]`); with `"auto"` the better Fourier candidate is
    /// validated once more with them (absent = ``autoSeasonalOrder``; `[0, 0]` = not).
    var seasonalOrder: [Int]?

    /// Seasonal factors are estimated on at most this many of the newest (differenced) steps
    /// (`nil` in JSON = all): their state is as long as the season, so each likelihood costs
    /// about ten times a non-seasonal one; the bound keeps a training on 45,000 hours within
    /// bench/arima's 3 s. The published filter still runs over every step.
    var seasonalFitPoints: Int? = 672

    /// The factors `seasonal: "auto"` tries when `seasonal_order` is absent (chosen on bench/quality's tuning series).
    static let autoSeasonalOrder = [1, 1]

    /// The factors a fixed structure is fitted with.
    var fittedSeasonalOrder: [Int] { seasonal == .auto ? [0, 0] : seasonalOrder ?? [0, 0] }

    /// Whether the fitted model has a seasonal factor.
    var hasSeasonalFactors: Bool { fittedSeasonalOrder.contains { $0 > 0 } }

    /// The factors `seasonal: "auto"` adds to its Fourier candidate (`[0, 0]`: no such candidate).
    var candidateSeasonalOrder: [Int] { seasonalOrder ?? Self.autoSeasonalOrder }

    enum Intervals: String, Sendable, Decodable {
        case gaussian
        case calibrated
    }
    var rootCheck = NearUnitRootRule.pmdarima

    /// How the daily cycle is handled.
    enum Seasonal: String, Sendable, Decodable {
        case none
        case fourier
        /// Seasonal differencing `(1 - B^period)`: an ARIMA(p,d,q)(0,1,0) at `period`.
        case difference
        /// Fourier terms or seasonal differencing (each with `d = 1` unless `d` is given),
        /// chosen by rolling-origin error on the end of the training data.
        case auto
    }

    /// How the Fourier coefficients are estimated with the ARMA part.
    enum FourierFit: String, Sendable, Decodable {
        /// Least squares of `Δᵈy` on `Δᵈx`, then the ARMA on the residuals.
        case twoStage = "two-stage"
        /// Joint maximum likelihood (GLS and ARMA fits alternated), as SARIMAX with `exog`.
        case joint
    }

    static let keys: Set<String> = [
        "order", "params", "start_p", "start_q", "max_p", "max_q", "d", "max_d", "test", "alpha", "ic",
        "stepwise", "max_order", "with_constant", "seasonal", "period", "fourier_terms", "method",
        "approximation", "max_iterations", "root_check", "max_fourier_terms", "fourier_fit", "bounds", "max_fit_points", "intervals",
        "seasonal_order", "seasonal_fit_points", "follow_level",
    ]

    private enum CodingKeys: String, CodingKey {
        case order, params, bounds, intervals, d, test, alpha, ic, stepwise, seasonal, period, method, approximation
        case startP = "start_p", startQ = "start_q", maxP = "max_p", maxQ = "max_q", maxD = "max_d"
        case maxOrder = "max_order", withConstant = "with_constant", fourierTerms = "fourier_terms"
        case maxIterations = "max_iterations", rootCheck = "root_check"
        case maxFourierTerms = "max_fourier_terms", fourierFit = "fourier_fit", maxFitPoints = "max_fit_points"
        case seasonalOrder = "seasonal_order", seasonalFitPoints = "seasonal_fit_points", followLevel = "follow_level"
    }

    init() {}

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        order = try c.decodeIfPresent([Int].self, forKey: .order)
        params = try c.decodeIfPresent([Double].self, forKey: .params)
        bounds = try c.decodeIfPresent([Double].self, forKey: .bounds)
        intervals = try c.decodeIfPresent(Intervals.self, forKey: .intervals) ?? intervals
        seasonalOrder = try c.decodeIfPresent([Int].self, forKey: .seasonalOrder)
        if c.contains(.seasonalFitPoints) { seasonalFitPoints = try c.decodeIfPresent(Int.self, forKey: .seasonalFitPoints) }
        if c.contains(.maxFitPoints) { maxFitPoints = try c.decodeIfPresent(Int.self, forKey: .maxFitPoints) }
        startP = try c.decodeIfPresent(Int.self, forKey: .startP) ?? startP
        startQ = try c.decodeIfPresent(Int.self, forKey: .startQ) ?? startQ
        maxP = try c.decodeIfPresent(Int.self, forKey: .maxP) ?? maxP
        maxQ = try c.decodeIfPresent(Int.self, forKey: .maxQ) ?? maxQ
        d = try c.decodeIfPresent(Int.self, forKey: .d)
        maxD = try c.decodeIfPresent(Int.self, forKey: .maxD) ?? maxD
        test = try c.decodeIfPresent(UnitRootDifferencing.Test.self, forKey: .test) ?? test
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha) ?? alpha
        ic = try c.decodeIfPresent(InformationCriterion.self, forKey: .ic) ?? ic
        stepwise = try c.decodeIfPresent(Bool.self, forKey: .stepwise) ?? stepwise
        maxOrder = try c.decodeIfPresent(Int.self, forKey: .maxOrder) ?? maxOrder
        withConstant = try c.decodeIfPresent(Bool.self, forKey: .withConstant)
        seasonal = try c.decodeIfPresent(Seasonal.self, forKey: .seasonal) ?? seasonal
        period = try c.decodeIfPresent(Int.self, forKey: .period) ?? period
        fourierTerms = try c.decodeIfPresent(Int.self, forKey: .fourierTerms) ?? fourierTerms
        maxFourierTerms = try c.decodeIfPresent(Int.self, forKey: .maxFourierTerms)
        fourierFit = try c.decodeIfPresent(FourierFit.self, forKey: .fourierFit) ?? fourierFit
        method = try c.decodeIfPresent(ARIMAEstimator.Method.self, forKey: .method) ?? method
        approximation = try c.decodeIfPresent(Bool.self, forKey: .approximation) ?? approximation
        maxIterations = try c.decodeIfPresent(Int.self, forKey: .maxIterations) ?? maxIterations
        rootCheck = try c.decodeIfPresent(NearUnitRootRule.self, forKey: .rootCheck) ?? rootCheck
        followLevel = try c.decodeIfPresent(Bool.self, forKey: .followLevel) ?? followLevel
    }

    /// Decodes and range-checks `json`.
    static func parse(_ json: String) throws(PluginError) -> ARIMAOptions {
        let options = try PluginOptions.decode(ARIMAOptions.self, from: json, keys: keys)
        try options.validate()
        return options
    }

    private func validate() throws(PluginError) {
        func check(_ condition: Bool, _ message: String) throws(PluginError) {
            if !condition { throw .invalidArgument(message) }
        }
        let orderLimit = 0...8
        try check(orderLimit.contains(startP) && orderLimit.contains(startQ), "start_p and start_q must lie in 0...8")
        try check(orderLimit.contains(maxP) && orderLimit.contains(maxQ), "max_p and max_q must lie in 0...8")
        try check((0...2).contains(maxD), "max_d must lie in 0...2")
        if let d { try check((0...2).contains(d), "d must lie in 0...2 (or be null to choose it by the unit-root test)") }
        try check(alpha > 0 && alpha < 1, "alpha must lie strictly between 0 and 1")
        // The criteria statsmodels' ARIMA reports; hqic is AutoReg's.
        try check([.aic, .aicc, .bic].contains(ic), "ic must be one of aic, aicc, bic; got '\(ic.rawValue)'")
        try check((0...16).contains(maxOrder), "max_order must lie in 0...16")
        try check((2...10_000).contains(period), "period must lie in 2...10000")
        try check(fourierTerms >= 1 && fourierTerms <= 12 && 2 * fourierTerms <= period,
                  "fourier_terms must lie in 1...12 and be at most period/2")
        if let maxFourierTerms {
            try check(maxFourierTerms >= 1 && maxFourierTerms <= 12 && 2 * maxFourierTerms <= period,
                      "max_fourier_terms must lie in 1...12 and be at most period/2")
        }
        try check((1...10_000).contains(maxIterations), "max_iterations must lie in 1...10000")
        if let maxFitPoints { try check(maxFitPoints >= 64, "max_fit_points must be at least 64 (or null for all points)") }
        if let bounds {
            try check(bounds.count == 2 && bounds.allSatisfy(\.isFinite) && bounds[0] < bounds[1],
                      "bounds must be [lower, upper] with finite lower < upper")
        }
        if let order {
            try check(order.count == 3, "order must be [p, d, q]")
            try check(orderLimit.contains(order[0]) && (0...2).contains(order[1]) && orderLimit.contains(order[2]),
                      "order must be [p, d, q] with p, q in 0...8 and d in 0...2")
        }
        if let seasonalFitPoints {
            try check(seasonalFitPoints >= 4 * period, "seasonal_fit_points must be at least four periods (or null for all points)")
        }
        if let seasonalOrder {
            try check(seasonalOrder.count == 2 && seasonalOrder.allSatisfy { (0...1).contains($0) },
                      "seasonal_order must be [P, Q] with P and Q each 0 or 1")
        }
        if hasSeasonalFactors || (seasonal == .auto && (seasonalOrder ?? [0, 0]).contains { $0 > 0 }) {
            try check(params == nil, "seasonal_order cannot be combined with fixed params")
            try check(period > max(maxP, maxQ, order?[0] ?? 0, order?[2] ?? 0),
                      "with seasonal_order, period must exceed the AR and MA orders (max_p, max_q, order)")
        }
        if let params {
            guard let order else { throw .invalidArgument("params needs a fixed order [p, d, q]") }
            let constant = withConstant ?? (order[1] < 2)
            let expected = order[0] + order[2] + (constant ? 1 : 0) + 1
            try check(params.count == expected,
                      "params must hold \(expected) values (\(constant ? "intercept, " : "")\(order[0]) AR, \(order[2]) MA, sigma2); got \(params.count)")
            try check(params.allSatisfy(\.isFinite) && params[params.count - 1] > 0, "params must be finite with a positive sigma2")
        }
    }
}
