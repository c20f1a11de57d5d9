import ForecastVocabulary
import PluginBinding

/// The check every model passes before it serves (at start and on every reload): it
/// forecasts 1 to 168 hours at the levels 0.8 and 0.95, every value finite, `lower <= mean
/// <= upper` (``PluginModel/forecast(horizon:level:)`` refuses anything else), and every
/// mean inside the variable's plausible forecast range: the rule `forecast train` applies
/// before it publishes, so a model train published is never refused here. A model that fails does not serve, and a
/// reload that would replace a serving model with one that fails is refused.
///
/// One forecast of 168 steps covers every horizon from 1 to 168: a plugin's forecast of h
/// steps is the first h steps of a longer one (the contract's determinism rule).
enum ModelCheck {
    /// The longest forecast the server answers, in hours.
    static let horizon = 168
    /// The interval levels checked.
    static let levels = [0.8, 0.95]

    /// Throws why `model` (of `variable`, from the file at `path`) cannot serve.
    static func verify(_ model: ServedModel, variable: String, path: String) throws(ModelLoadFailure) {
        guard let known = Variable(rawValue: variable) else {
            throw ModelLoadFailure(message: "\(path): the model is of variable '\(variable)', which this server does not know")
        }
        let (range, unit) = (known.plausibleForecastRange, known.unit)
        for level in levels {
            let output: ForecastOutput
            do {
                output = try model.forecastNow(horizon: horizon, level: level)
            } catch {
                throw ModelLoadFailure(message: "\(path): the model fails the check (forecast of \(horizon) h at level \(level)): \(error)")
            }
            if let step = output.mean.firstIndex(where: { !range.contains($0) }) {
                throw ModelLoadFailure(message: "\(path): the model fails the check: at level \(level), step \(step + 1) forecasts a mean of \(output.mean[step]) \(unit), outside the plausible \(range.lowerBound)...\(range.upperBound) \(unit)")
            }
        }
    }
}
