/// What one chart draws: observations, and per route a forecast line with its band.
struct ChartData: Sendable {
    /// One route's forecast of one variable.
    struct Forecast: Sendable {
        /// Route name, e.g. `v1`.
        var route: String
        /// Unix seconds of each point.
        var times: [Int64]
        /// Point forecasts.
        var mean: [Double]
        /// Lower interval bounds.
        var lower: [Double]
        /// Upper interval bounds.
        var upper: [Double]
    }

    /// `temperature` or `humidity`.
    var variable: String
    /// Unit symbol for the axis.
    var unit: String
    /// Observed points (time, value); nil values are gaps.
    var observed: [(time: Int64, value: Double?)]
    /// Forecasts, one per route.
    var forecasts: [Forecast]
    /// The hour the forecasts start (drawn as a marker).
    var forecastStart: Int64
}
