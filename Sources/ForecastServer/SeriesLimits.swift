/// The limits on `POST /{route}/forecast`: what one request may send and how long and how
/// many trainings may run. Each limit is in the OpenAPI document and named by the error a
/// request that passes it gets.
public struct SeriesLimits: Sendable, Equatable {
    /// The largest request body, in bytes (413 `body_too_large`).
    public var maximumBodyBytes: Int
    /// The most series in one request (413 `too_many_series`).
    public var maximumSeries: Int
    /// The most values in one series: a year of hours (413 `series_too_long`).
    public var maximumValues: Int
    /// The fewest values in one series: two days of hours, two cycles of the daily season
    /// every bundled plugin models (422 `series_too_short`).
    public var minimumValues: Int
    /// The largest magnitude a value may have (400 `bad_body`): far beyond any weather
    /// variable, well inside what a plugin's sums of squares can hold.
    public var maximumMagnitude: Double
    /// Seconds one series' training may take (422 `training_time_limit`). In a worker the
    /// worker is killed at this limit; in the server process the answer is given at the
    /// limit and the plugin is asked to cancel (the training holds its slot until it stops).
    public var trainingSeconds: Double
    /// Trainings that run at once, across routes.
    public var concurrentTrainings: Int
    /// Requests that may wait for a training slot; one more answers 503 `busy` with `Retry-After`.
    public var queuedRequests: Int
    /// The `Retry-After` of a 503 `busy`, in seconds.
    public var retryAfterSeconds: Int

    /// Limits; see each property.
    public init(maximumBodyBytes: Int = 2 << 20, maximumSeries: Int = 16, maximumValues: Int = 8760,
                minimumValues: Int = 48, maximumMagnitude: Double = 1e9, trainingSeconds: Double = 5, concurrentTrainings: Int = 2, queuedRequests: Int = 32,
                retryAfterSeconds: Int = 1) {
        self.maximumBodyBytes = maximumBodyBytes
        self.maximumSeries = maximumSeries
        self.maximumValues = maximumValues
        self.minimumValues = minimumValues
        self.maximumMagnitude = maximumMagnitude
        self.trainingSeconds = trainingSeconds
        self.concurrentTrainings = concurrentTrainings
        self.queuedRequests = queuedRequests
        self.retryAfterSeconds = retryAfterSeconds
    }
}
