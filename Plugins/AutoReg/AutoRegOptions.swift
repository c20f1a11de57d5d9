import ForecastMath
import PluginKit

/// The plugin's options, decoded from the JSON object the host passes to `train`.
///
/// Keys: `maxlag`, `ic`, `trend`, `seasonal`, `period`, `selection`, `intervals`,
/// `bounds`. Every key is optional; the defaults (``defaults``) were chosen on the
/// real-data benchmark `bench/quality`, documented in `docs/autoreg.md`.
struct AutoRegOptions: Sendable, Equatable, Decodable {
    /// How the lag count is chosen.
    enum Selection: String, Sendable, Equatable, CaseIterable {
        /// The information criterion `ic` on a common sample, as statsmodels' `ar_select_order`.
        case ic
        /// The smallest mean absolute error of multi-step forecasts over the last weeks of
        /// the training data, from a fit on the data before them.
        case holdout
    }

    /// How forecast intervals are made.
    enum Intervals: String, Sendable, Equatable, CaseIterable {
        /// `mean +- z sigma_h` from the moving-average representation (statsmodels').
        case gaussian
        /// `sigma_h` times the empirical quantiles of the model's own standardized
        /// multi-step errors on its training data (``LeadTimeErrorQuantiles``).
        case calibrated
    }

    /// The largest lag count considered by the selection (statsmodels' `maxlag`); with
    /// several differences, that of the largest one, and a component on difference D may
    /// have `maxlag + max(differences) - D` lags (every component reaches the same order in levels).
    var maxlag: Int
    /// The criterion that picks the lag count.
    var ic: InformationCriterion
    /// Constant and trend terms.
    var trend: TrendTerms
    /// Whether to add seasonal dummies.
    var seasonal: Bool
    /// The seasonal period in observations (used only when `seasonal` is true).
    var period: Int
    /// How the lag count is chosen.
    var selection: Selection = .ic
    /// How intervals are made.
    var intervals: Intervals = .gaussian
    /// The variable's physical range (`[lower, upper]`), or nil for none.
    var bounds: ClosedRange<Double>? = nil
    /// The lag D of the difference modelled (`y[t] - y[t-D]`), 0 for levels.
    var difference: Int = 0
    /// Further difference lags, each fitted as its own autoregression and averaged with
    /// the first (`difference: [24, 1]` in JSON); empty for one model.
    var combinedDifferences: [Int] = []

    /// Every difference lag fitted: `difference` first.
    var differences: [Int] { [difference] + combinedDifferences }

    /// The largest `maxlag` accepted: 1000 hourly lags is six weeks, far beyond any use.
    static let maxlagLimit = 1000
    /// The largest seasonal period accepted (1000 dummy columns).
    static let periodLimit = 1000

    /// The defaults, chosen on the real-data benchmark's tuning series (`docs/autoreg.md`):
    /// the average of an autoregression on daily differences and one on first differences,
    /// without a constant or dummies, each with AIC up to order 168 in levels (144 lags of
    /// the daily differences, 167 of the first), calibrated intervals.
    static let defaults = AutoRegOptions(maxlag: 144, ic: .aic, trend: .none, seasonal: false, period: 24,
                                         selection: .ic, intervals: .calibrated, bounds: nil, difference: 24,
                                         combinedDifferences: [1])

    /// The option keys, for rejecting unknown ones.
    static let keys: Set<String> = ["maxlag", "ic", "trend", "seasonal", "period", "selection", "intervals", "bounds", "difference"]

    /// The defaults as the JSON object `forecast plugins` shows.
    static var defaultsJSON: String {
        let d = defaults
        let difference = d.combinedDifferences.isEmpty ? "\(d.difference)" : "[\(d.differences.map(String.init).joined(separator: ","))]"
        return #"{"difference":\#(difference),"ic":"\#(d.ic.rawValue)","intervals":"\#(d.intervals.rawValue)","maxlag":\#(d.maxlag),"period":\#(d.period),"seasonal":\#(d.seasonal),"selection":"\#(d.selection.rawValue)","trend":"\#(d.trend.rawValue)"}"#
    }

    init(maxlag: Int, ic: InformationCriterion, trend: TrendTerms, seasonal: Bool, period: Int,
         selection: Selection = .ic, intervals: Intervals = .gaussian, bounds: ClosedRange<Double>? = nil,
         difference: Int = 0, combinedDifferences: [Int] = []) {
        self.maxlag = maxlag
        self.ic = ic
        self.trend = trend
        self.seasonal = seasonal
        self.period = period
        self.selection = selection
        self.intervals = intervals
        self.bounds = bounds
        self.difference = difference
        self.combinedDifferences = combinedDifferences
    }

    private enum CodingKeys: String, CodingKey {
        case maxlag, ic, trend, seasonal, period, selection, intervals, bounds, difference
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self.defaults
        // `contains` + `decode` (not `decodeIfPresent`) so that an explicit null is an error.
        func value<T: Decodable>(_ type: T.Type, _ key: CodingKeys) throws -> T? {
            container.contains(key) ? try container.decode(T.self, forKey: key) : nil
        }
        maxlag = try value(Int.self, .maxlag) ?? d.maxlag
        seasonal = try value(Bool.self, .seasonal) ?? d.seasonal
        period = try value(Int.self, .period) ?? d.period
        if container.contains(.difference), let lags = try? container.decode([Int].self, forKey: .difference) {
            guard let head = lags.first else {
                throw PluginError.invalidArgument("option 'difference' must be a lag or a non-empty list of lags; got []")
            }
            difference = head
            combinedDifferences = Array(lags.dropFirst())
        } else if let lag = try value(Int.self, .difference) {
            difference = lag
            combinedDifferences = []
        } else {
            difference = d.difference
            combinedDifferences = d.combinedDifferences
        }
        if let text = try value(String.self, .ic) {
            guard let value = InformationCriterion(rawValue: text.lowercased()), InformationCriterion.autoReg.contains(value) else {
                throw PluginError.invalidArgument("option 'ic' must be one of aic, bic, hqic; got '\(text)'")
            }
            ic = value
        } else {
            ic = d.ic
        }
        if let text = try value(String.self, .trend) {
            guard let value = TrendTerms(rawValue: text.lowercased()) else {
                throw PluginError.invalidArgument("option 'trend' must be one of n (none), c (constant), t (linear trend), ct (both); got '\(text)'")
            }
            trend = value
        } else {
            trend = d.trend
        }
        if let text = try value(String.self, .selection) {
            guard let value = Selection(rawValue: text.lowercased()) else {
                throw PluginError.invalidArgument("option 'selection' must be one of ic, holdout; got '\(text)'")
            }
            selection = value
        } else {
            selection = d.selection
        }
        if let text = try value(String.self, .intervals) {
            guard let value = Intervals(rawValue: text.lowercased()) else {
                throw PluginError.invalidArgument("option 'intervals' must be one of gaussian, calibrated; got '\(text)'")
            }
            intervals = value
        } else {
            intervals = d.intervals
        }
        if let pair = try value([Double].self, .bounds) {
            guard pair.count == 2, pair.allSatisfy(\.isFinite), pair[0] < pair[1] else {
                throw PluginError.invalidArgument("option 'bounds' must be [lower, upper] with finite lower < upper; got \(pair)")
            }
            bounds = pair[0]...pair[1]
        } else {
            bounds = d.bounds
        }
    }

    /// Decodes and checks `json`; every problem is ``PluginError/invalidArgument(_:)``.
    static func parse(_ json: String) throws(PluginError) -> AutoRegOptions {
        let options = try PluginOptions.decode(AutoRegOptions.self, from: json, keys: keys)
        try options.validate()
        return options
    }

    /// Throws unless every value is in range.
    func validate() throws(PluginError) {
        guard maxlag >= 1, maxlag <= Self.maxlagLimit else {
            throw .invalidArgument("option 'maxlag' must be between 1 and \(Self.maxlagLimit); got \(maxlag)")
        }
        for lag in differences where lag < 0 || lag > Self.periodLimit {
            throw .invalidArgument("option 'difference' must be between 0 (levels) and \(Self.periodLimit); got \(lag)")
        }
        guard Set(differences).count == differences.count else {
            throw .invalidArgument("option 'difference' lists a lag twice: \(differences)")
        }
        guard period >= 2, period <= Self.periodLimit else {
            throw .invalidArgument("option 'period' must be between 2 and \(Self.periodLimit); got \(period)")
        }
    }

    /// The deterministic terms these options ask for.
    var deterministicTerms: DeterministicTerms {
        DeterministicTerms(trend: trend, period: seasonal ? period : nil)
    }
}
