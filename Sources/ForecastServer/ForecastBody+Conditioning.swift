import ForecastVocabulary
extension ForecastBody {
    /// The `model` fields that say which data the forecast starts from: `lastObservation`
    /// (the last hour the models have seen; the forecast starts one step later),
    /// `trainingEnd` (the last hour they were fitted on), `conditioned` (whether they were
    /// conditioned on observations after it) and, when conditioning was not possible,
    /// `conditionProblem` saying why.
    static func writeConditioning(_ json: inout JSONWriter, _ models: CityModels) {
        json.string("lastObservation", ISOTime.format(models.lastObserved))
        json.string("trainingEnd", ISOTime.format(models.trainingEnd))
        json.bool("conditioned", models.isConditioned)
        let problems = models.models.compactMap { name, variable in
            variable.conditionProblem.map { "\(name.name): \($0)" }
        }
        json.optionalString("conditionProblem", problems.isEmpty ? nil : problems.joined(separator: "; "))
    }
}
