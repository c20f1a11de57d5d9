import PluginHost

/// One variable's loaded model and the manifest it came from.
public struct VariableModel: Sendable {
    /// The loaded plugin model (thread-safe forecasts).
    public let model: PluginModel
    /// The envelope of the file it was loaded from.
    public let manifest: ModelManifest
    /// The plugin's fit summary as JSON object text, checked to parse.
    public let summaryJSON: String
    /// The training options as JSON object text, checked to parse.
    public let optionsJSON: String
}

/// The model pair that answers for one city on one route: temperature and humidity.
///
/// Both models end at the same observed hour, so hour `k` of a forecast is the same
/// instant for both variables.
public struct CityModels: Sendable {
    /// The city as written in the manifests, e.g. `San Francisco`.
    public let city: String
    /// Temperature in kelvin.
    public let temperature: VariableModel
    /// Relative humidity in percent.
    public let humidity: VariableModel

    /// The last hour both models were trained on (Unix seconds).
    public var lastObserved: Int64 { temperature.manifest.lastTime }
    /// Seconds between forecast steps.
    public var stepSeconds: Int64 { temperature.manifest.stepSeconds }
    /// The earlier of the two training times (Unix seconds).
    public var trainedAt: Int64 { min(temperature.manifest.trainedAt, humidity.manifest.trainedAt) }
}
