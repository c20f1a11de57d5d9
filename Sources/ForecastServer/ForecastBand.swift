/// One interval level's bounds for every hour of a forecast, in the requested units: the
/// `intervals` entries of a forecast body, aligned with its `forecast` list.
public struct ForecastBand: Sendable, Equatable {
    /// The central interval level, strictly between 0 and 1.
    public var level: Double
    /// Temperature bounds, one per hour.
    public var temperatureLower: [Double], temperatureUpper: [Double]
    /// Relative humidity bounds in percent (within 0...100), one per hour.
    public var humidityLower: [Double], humidityUpper: [Double]
}

/// A city's forecast at every level asked: the hours (with the first level's bounds) and
/// one band per level, in the order asked.
public struct ForecastResult: Sendable, Equatable {
    /// One entry per hour; its bounds are those of `bands[0]`.
    public var hours: [ForecastHour]
    /// Every level's bounds.
    public var bands: [ForecastBand]
}
