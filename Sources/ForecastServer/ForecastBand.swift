import ForecastVocabulary

/// One interval level's bounds for every hour of a forecast, in the requested units: the
/// `intervals` entries of a forecast body, aligned with its `forecast` list.
public struct ForecastBand: Sendable, Equatable {
    /// One variable's bounds, one per hour.
    public struct Bounds: Sendable, Equatable {
        /// Lower bounds.
        public var lower: [Double]
        /// Upper bounds.
        public var upper: [Double]
    }

    /// The central interval level, strictly between 0 and 1.
    public var level: Double
    /// Per variable with a model, its bounds.
    public var bounds: [Variable: Bounds]

    /// Temperature bounds, one per hour (empty without a temperature model).
    public var temperatureLower: [Double] { bounds[.temperature]?.lower ?? [] }
    /// Upper temperature bounds.
    public var temperatureUpper: [Double] { bounds[.temperature]?.upper ?? [] }
    /// Relative humidity bounds in percent (within 0...100), one per hour.
    public var humidityLower: [Double] { bounds[.humidity]?.lower ?? [] }
    /// Upper humidity bounds.
    public var humidityUpper: [Double] { bounds[.humidity]?.upper ?? [] }
}

/// A city's forecast at every level asked: the hours (with the first level's bounds) and
/// one band per level, in the order asked.
public struct ForecastResult: Sendable, Equatable {
    /// One entry per hour; its bounds are those of `bands[0]`.
    public var hours: [ForecastHour]
    /// Every level's bounds.
    public var bands: [ForecastBand]
}
