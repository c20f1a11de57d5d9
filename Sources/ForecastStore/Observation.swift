/// One hour of one city: the row the store keeps.
public struct Observation: Sendable, Equatable, Hashable {
    /// The city, as named in the source's header (e.g. `San Francisco`).
    public var city: String
    /// The hour, Unix seconds (UTC), a multiple of 3600.
    public var time: Int64
    /// Temperature in kelvin, or nil when not observed.
    public var temperature: Double?
    /// Relative humidity in percent, or nil when not observed.
    public var humidity: Double?

    /// Creates an observation.
    public init(city: String, time: Int64, temperature: Double?, humidity: Double?) {
        self.city = city
        self.time = time
        self.temperature = temperature
        self.humidity = humidity
    }
}
