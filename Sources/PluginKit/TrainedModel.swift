/// What a plugin's training produces: the model blob and a JSON fit summary.
public struct TrainedModel: Sendable {
    /// The opaque, self-describing model bytes the host stores and later passes to `load`.
    public var blob: [UInt8]
    /// A JSON object summarising the fit (order, coefficients, criteria), shown to users.
    public var summaryJSON: String

    /// Creates a trained model.
    public init(blob: [UInt8], summaryJSON: String) {
        self.blob = blob
        self.summaryJSON = summaryJSON
    }
}
