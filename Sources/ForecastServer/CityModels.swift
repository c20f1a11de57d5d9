import PluginHost

/// One variable's loaded model and the manifest it came from.
public struct VariableModel: Sendable {
    /// The loaded model, in this process or in the plugin's worker.
    public var model: ServedModel
    /// The envelope of the file it was loaded from.
    public let manifest: ModelManifest
    /// The plugin's fit summary as JSON object text, checked to parse.
    public let summaryJSON: String
    /// The training options as JSON object text, checked to parse.
    public let optionsJSON: String
    /// The last hour `model` has seen (Unix seconds) when it was conditioned on
    /// observations after its training end; nil for the model as loaded from its file.
    public var conditionedThrough: Int64? = nil
    /// Why the model could not be conditioned on the newest observations (it forecasts
    /// from ``lastTime``), or nil.
    public var conditionProblem: String? = nil

    /// The last hour the model has seen: its training end, or the end of the
    /// observations it was conditioned on since.
    public var lastTime: Int64 { conditionedThrough ?? manifest.lastTime }
    /// The last hour of the data the model was trained on.
    public var trainingEnd: Int64 { manifest.lastTime }
}

/// The model pair that answers for one city on one route: temperature and humidity.
///
/// The two models may end at different hours (a missing tail in one column of the
/// source): a forecast starts after the later of the two, and the model that ends
/// earlier forecasts the extra steps in between, which are dropped (``leadSteps(_:)``).
public struct CityModels: Sendable {
    /// The city as written in the manifests, e.g. `San Francisco`.
    public let city: String
    /// Temperature in kelvin.
    public let temperature: VariableModel
    /// Relative humidity in percent.
    public let humidity: VariableModel

    /// The most hours by which the two models' last observations may differ.
    public static let maximumLeadHours: Int64 = 168

    /// The later of the two models' last observed hours (Unix seconds), conditioning
    /// included: forecasts start one step after it.
    public var lastObserved: Int64 { max(temperature.lastTime, humidity.lastTime) }
    /// The later of the two models' training ends (Unix seconds).
    public var trainingEnd: Int64 { max(temperature.trainingEnd, humidity.trainingEnd) }
    /// Whether either model was conditioned on observations after its training end.
    public var isConditioned: Bool { temperature.conditionedThrough != nil || humidity.conditionedThrough != nil }

    /// How many steps `variable` must forecast before the first hour of a forecast: 0 for
    /// the model that ends last, the gap in steps for the other.
    public func leadSteps(_ variable: VariableModel) -> Int {
        Int((lastObserved - variable.lastTime) / stepSeconds)
    }
    /// Seconds between forecast steps.
    public var stepSeconds: Int64 { temperature.manifest.stepSeconds }
    /// The earlier of the two training times (Unix seconds).
    public var trainedAt: Int64 { min(temperature.manifest.trainedAt, humidity.manifest.trainedAt) }
}
