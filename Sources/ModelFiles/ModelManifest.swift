/// What the host records about a trained model, beside the plugin's opaque blob.
///
/// Stored as the second line of a model file (see ``ModelFile``).
public struct ModelManifest: Codable, Sendable, Equatable {
    /// The model-file format version this host writes.
    public static let currentFormatVersion = 1

    /// Model-file format version.
    public var formatVersion: Int
    /// Plugin name, e.g. `arima`.
    public var plugin: String
    /// Plugin version that trained the model.
    public var pluginVersion: String
    /// Packed ABI version of the plugin (`major << 16 | minor`).
    public var abiVersion: UInt32
    /// City the series belongs to.
    public var city: String
    /// `temperature` (kelvin) or `humidity` (percent).
    public var variable: String
    /// Time of the first observation trained on (Unix seconds).
    public var firstTime: Int64
    /// Time of the last observation trained on (Unix seconds); forecasts start one step later.
    public var lastTime: Int64
    /// Seconds between observations.
    public var stepSeconds: Int64
    /// Number of observations trained on.
    public var count: Int
    /// When training finished (Unix seconds).
    public var trainedAt: Int64
    /// Wall time of the plugin's train call, in seconds.
    public var trainingSeconds: Double
    /// The options the plugin was trained with (a JSON object as text).
    public var options: String
    /// The plugin's fit summary (a JSON object as text).
    public var summary: String
    /// Size of the blob in bytes.
    public var blobSize: Int
    /// Lower-case hex SHA-256 of the blob.
    public var blobSHA256: String

    /// Creates a manifest.
    public init(plugin: String, pluginVersion: String, abiVersion: UInt32, city: String, variable: String,
                firstTime: Int64, lastTime: Int64, stepSeconds: Int64, count: Int, trainedAt: Int64,
                trainingSeconds: Double, options: String, summary: String, blobSize: Int, blobSHA256: String) {
        self.formatVersion = Self.currentFormatVersion
        self.plugin = plugin
        self.pluginVersion = pluginVersion
        self.abiVersion = abiVersion
        self.city = city
        self.variable = variable
        self.firstTime = firstTime
        self.lastTime = lastTime
        self.stepSeconds = stepSeconds
        self.count = count
        self.trainedAt = trainedAt
        self.trainingSeconds = trainingSeconds
        self.options = options
        self.summary = summary
        self.blobSize = blobSize
        self.blobSHA256 = blobSHA256
    }
}
