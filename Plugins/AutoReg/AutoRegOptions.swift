import PluginKit

/// The plugin's options, decoded from the JSON object the host passes to `train`.
///
/// Keys: `maxlag`, `ic`, `trend`, `seasonal`, `period`. Every key is optional; the
/// defaults (``defaults``) were chosen for hourly weather series by a rolling-origin
/// comparison documented in `docs/autoreg.md`.
struct AutoRegOptions: Sendable, Equatable, Decodable {
    /// The largest lag count considered by the selection (statsmodels' `maxlag`).
    var maxlag: Int
    /// The criterion that picks the lag count.
    var ic: InformationCriterion
    /// Constant and trend terms.
    var trend: TrendTerms
    /// Whether to add seasonal dummies.
    var seasonal: Bool
    /// The seasonal period in observations (used only when `seasonal` is true).
    var period: Int

    /// The largest `maxlag` accepted: 1000 hourly lags is six weeks, far beyond any use.
    static let maxlagLimit = 1000
    /// The largest seasonal period accepted (1000 dummy columns).
    static let periodLimit = 1000

    /// The defaults: see `docs/autoreg.md` for the measurement behind them.
    static let defaults = AutoRegOptions(maxlag: 120, ic: .aic, trend: .constant, seasonal: true, period: 24)

    /// The option keys, for rejecting unknown ones.
    static let keys: Set<String> = ["maxlag", "ic", "trend", "seasonal", "period"]

    /// The defaults as the JSON object `forecast plugins` shows.
    static var defaultsJSON: String {
        let d = defaults
        return #"{"ic":"\#(d.ic.rawValue)","maxlag":\#(d.maxlag),"period":\#(d.period),"seasonal":\#(d.seasonal),"trend":"\#(d.trend.rawValue)"}"#
    }

    init(maxlag: Int, ic: InformationCriterion, trend: TrendTerms, seasonal: Bool, period: Int) {
        self.maxlag = maxlag
        self.ic = ic
        self.trend = trend
        self.seasonal = seasonal
        self.period = period
    }

    private enum CodingKeys: String, CodingKey {
        case maxlag, ic, trend, seasonal, period
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
        if let text = try value(String.self, .ic) {
            guard let value = InformationCriterion(rawValue: text.lowercased()) else {
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
        guard period >= 2, period <= Self.periodLimit else {
            throw .invalidArgument("option 'period' must be between 2 and \(Self.periodLimit); got \(period)")
        }
    }

    /// The deterministic terms these options ask for.
    var deterministicTerms: DeterministicTerms {
        DeterministicTerms(trend: trend, period: seasonal ? period : nil)
    }
}
