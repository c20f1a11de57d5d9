import ForecastMath
import PluginKit

/// `seasonal: "auto"`: the daily cycle as Fourier terms or as a seasonal difference, chosen by
/// the model's own rolling-origin forecast error on the end of the training data.
///
/// Why: the two structures fail in opposite places. A Fourier cycle keeps the shape of the
/// months it was fitted on, which is right for noisy weather whose shape is stable; a
/// seasonal difference carries yesterday forward, which is right for a smooth series whose
/// shape drifts (where a fixed cycle loses to seasonal naive by a factor of ten). Likelihoods
/// of differently differenced data are not comparable, so the choice is made on what the
/// user sees: each candidate is fitted on the series without its last part and conditioned
/// through that part, forecasting 72 steps from every 24th step; the lower mean absolute
/// error wins, and its model, conditioned to the end, is the one published.
struct SeasonalStructureChoice {
    var options: ARIMAOptions
    var host: HostServices

    /// Steps ahead scored at each validation origin.
    static let horizon = 72
    /// Steps between validation origins.
    static let originStep = 24
    /// The validated part: a quarter of the series, at most eight weeks of hourly steps.
    static let maximumValidation = 1344
    static let minimumValidation = 168

    struct Outcome {
        var model: ARIMAModel
        var summary: ARIMASummary
        var scores: [(name: String, mae: Double)]
    }

    /// The candidates' options: Fourier terms with one difference, and a seasonal difference with one difference.
    var candidates: [(name: String, options: ARIMAOptions)] {
        var fourier = options
        fourier.seasonal = .fourier
        if fourier.d == nil, fourier.order == nil { fourier.d = 1 }
        var difference = options
        difference.seasonal = .difference
        if difference.d == nil, difference.order == nil { difference.d = 1 }
        var list = [("fourier", fourier), ("difference", difference)]
        if options.d == nil, options.order == nil {
            // Fourier terms with d from the unit-root test (d = 0 on most weather): a stable mean.
            var tested = options
            tested.seasonal = .fourier
            list.insert(("fourier, d by test", tested), at: 1)
        }
        return list
    }

    func choose(_ series: Series) throws(PluginError) -> Outcome {
        let n = series.count
        let validation = min(n / 4, Self.maximumValidation)
        let list = candidates
        guard validation >= Self.minimumValidation else {
            let (model, summary) = try ARIMATrainer(options: list[0].options, host: host).trainSpan(series)
            return Outcome(model: model, summary: summary, scores: [])
        }
        let split = n - validation
        // The candidates are fitted on at most `max_fit_points` steps before the validated part
        // (older hours add little to a 72-hour forecast and cost time), from an observation on.
        var first = max(0, split - (options.maxFitPoints ?? split))
        while first < split - 1, series.values[first].isNaN { first += 1 }
        let head = Series(values: Array(series.values[first..<split]), startTime: series.startTime + Int64(first) * series.stepSeconds,
                          stepSeconds: series.stepSeconds)
        let validated = Series(values: Array(series.values[split...]), startTime: series.startTime + Int64(split) * series.stepSeconds,
                               stepSeconds: series.stepSeconds)
        var best: (model: ARIMAModel, fitted: ARIMAModel, summary: ARIMASummary, mae: Double)?
        var scores: [(String, Double)] = []
        for (name, candidateOptions) in list {
            try host.checkCancellation()
            let trained: (model: ARIMAModel, summary: ARIMASummary)
            do throws(PluginError) {
                trained = try ARIMATrainer(options: candidateOptions, host: host).trainSpan(head)
            } catch {
                if case .cancelled = error { throw error }
                scores.append((name, .infinity))
                continue
            }
            var model = trained.model
            model.bounds = nil
            let (conditioned, errors) = try RollingOriginErrors.run(model, through: validated, firstOrigin: 0, stride: Self.originStep,
                                                                    horizon: Self.horizon)
            let mae = errors.meanAbsoluteError
            scores.append((name, mae))
            model = conditioned
            model.bounds = trained.model.bounds
            if mae.isFinite, best == nil || mae < best!.mae { best = (model, trained.model, trained.summary, mae) }
        }
        guard let best else { throw .numerical("neither seasonal structure could be fitted") }
        var model = best.model
        var summary = best.summary
        var fitted = best.fitted
        fitted.bounds = nil
        if options.intervals == .calibrated {
            // Intervals from the chosen model's own standardised errors over the validated part
            // (out of sample: it was fitted before it), from origins at about the hour of the
            // day the published model forecasts from.
            let window = IntervalCalibrationWindow.self
            let origins = window.origins(count: validated.count, period: fitted.dailyPeriod)
            fitted.calibration = try RollingOriginErrors.run(fitted, through: validated, origins: origins,
                                                             horizon: window.horizon).errors.calibration
            model.calibration = fitted.calibration
        }
        if validated.count >= ARIMAModel.recalibrationMinimum {
            // A validated part of four weeks or more: the published model is the fitted one
            // conditioned through it, as conditioning later would do (the cycle re-estimated on
            // the newest weeks, the intervals recalibrated on them).
            let bounds = model.bounds
            model = try fitted.conditioned(on: validated)
            model.bounds = bounds
            summary.fourierCoefficients = model.fourierCoefficients
        }
        return Outcome(model: model, summary: summary, scores: scores)
    }
}
