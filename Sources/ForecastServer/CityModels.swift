import ForecastVocabulary
import ModelFiles

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

/// The models that answer for one city on one route: one per variable trained for it
/// (temperature and humidity, or any subset of the variable table; at least one).
///
/// The models may end at different hours (a missing tail in one column of the source): a
/// forecast starts after the latest of them, and a model that ends earlier forecasts the
/// extra steps in between, which are dropped (``leadSteps(_:)``).
public struct CityModels: Sendable {
    /// The city as written in the manifests, e.g. `San Francisco`.
    public let city: String
    /// The models, one per variable, in table order (``Variable/allCases``).
    public let models: [(variable: Variable, model: VariableModel)]

    /// The most hours by which the models' last observations may differ.
    public static let maximumLeadHours: Int64 = 168

    /// Creates the models of a city from one model per variable (at least one).
    public init(city: String, models: [Variable: VariableModel]) {
        precondition(!models.isEmpty, "a city is served with at least one model")
        self.city = city
        self.models = Variable.allCases.compactMap { variable in models[variable].map { (variable, $0) } }
    }

    /// Creates the models of a city trained on temperature and humidity.
    public init(city: String, temperature: VariableModel, humidity: VariableModel) {
        self.init(city: city, models: [.temperature: temperature, .humidity: humidity])
    }

    /// The variables with a model, in table order.
    public var variables: [Variable] { models.map(\.variable) }

    /// The model of `variable`, nil when the city has none.
    public subscript(variable: Variable) -> VariableModel? {
        models.first { $0.variable == variable }?.model
    }

    /// Temperature in kelvin, when trained.
    public var temperature: VariableModel? { self[.temperature] }
    /// Relative humidity in percent, when trained.
    public var humidity: VariableModel? { self[.humidity] }

    /// The latest of the models' last observed hours (Unix seconds), conditioning
    /// included: forecasts start one step after it.
    public var lastObserved: Int64 { models.map(\.model.lastTime).max()! }
    /// The earliest of the models' last observed hours: where conditioning reads from.
    public var earliestObserved: Int64 { models.map(\.model.lastTime).min()! }
    /// The latest of the models' training ends (Unix seconds).
    public var trainingEnd: Int64 { models.map(\.model.trainingEnd).max()! }
    /// Whether any model was conditioned on observations after its training end.
    public var isConditioned: Bool { models.contains { $0.model.conditionedThrough != nil } }

    /// How many steps `variable` must forecast before the first hour of a forecast: 0 for
    /// the model that ends last, the gap in steps for another.
    public func leadSteps(_ variable: VariableModel) -> Int {
        Int((lastObserved - variable.lastTime) / stepSeconds)
    }
    /// Seconds between forecast steps.
    public var stepSeconds: Int64 { models[0].model.manifest.stepSeconds }
    /// The earliest of the models' training times (Unix seconds).
    public var trainedAt: Int64 { models.map(\.model.manifest.trainedAt).min()! }
}
