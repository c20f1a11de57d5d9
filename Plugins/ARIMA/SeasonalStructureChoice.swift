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
/// error wins, and its model, conditioned to the end, is the one published. Then the better
/// Fourier candidate is fitted once more with seasonal AR and MA factors at the period
/// (`seasonal_order`, `[1, 1]` unless given; the same order and cycle) and validated the
/// same way, so the factors are kept only where they forecast better: a day's deviation from
/// the cycle that repeats the next day is what they describe, and on bench/quality's tuning
/// series only some series have it.
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

    /// The candidates' options: Fourier terms with one difference, and a seasonal difference
    /// with one difference (none of them with seasonal factors, which are tried after).
    var candidates: [(name: String, options: ARIMAOptions)] {
        var base = options
        base.seasonalOrder = nil
        var fourier = base
        fourier.seasonal = .fourier
        if fourier.d == nil, fourier.order == nil { fourier.d = 1 }
        var difference = base
        difference.seasonal = .difference
        if difference.d == nil, difference.order == nil { difference.d = 1 }
        var list = [("fourier", fourier), ("difference", difference)]
        if options.d == nil, options.order == nil {
            // Fourier terms with d from the unit-root test (d = 0 on most weather): a stable mean.
            var tested = base
            tested.seasonal = .fourier
            list.insert(("fourier, d by test", tested), at: 1)
        }
        return list
    }

    /// The candidate `name` (trained with `candidate`, fitted as `summary` says) with the
    /// seasonal factors `order` at its period: the same order, constant and harmonics, so the
    /// factors are the only difference the validation sees.
    static func withSeasonalFactors(_ name: String, options candidate: ARIMAOptions, summary: ARIMASummary,
                                    order: [Int]) -> (name: String, options: ARIMAOptions) {
        var options = candidate
        let spec = summary.fit.specification
        options.order = [spec.p, spec.d, spec.q]
        options.withConstant = spec.constant
        options.fourierTerms = summary.fourier?.terms ?? options.fourierTerms
        options.maxFourierTerms = nil
        options.seasonalOrder = order
        return ("\(name) + (\(order[0]),\(order[1]))[\(options.period)]", options)
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
        var bestFourier: (name: String, options: ARIMAOptions, summary: ARIMASummary, mae: Double)?
        var scores: [(String, Double)] = []
        func validate(_ name: String, _ candidateOptions: ARIMAOptions) throws(PluginError) {
            try host.checkCancellation()
            let trained: (model: ARIMAModel, summary: ARIMASummary)
            do throws(PluginError) {
                trained = try ARIMATrainer(options: candidateOptions, host: host).trainSpan(head)
            } catch {
                if case .cancelled = error { throw error }
                scores.append((name, .infinity))
                return
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
            guard mae.isFinite, !candidateOptions.hasSeasonalFactors else { return }
            if candidateOptions.seasonal == .fourier, bestFourier == nil || mae < bestFourier!.mae {
                bestFourier = (name, candidateOptions, trained.summary, mae)
            }
        }
        for (name, candidateOptions) in list { try validate(name, candidateOptions) }
        let factors = options.candidateSeasonalOrder
        if factors.contains(where: { $0 > 0 }), let base = bestFourier,
           options.period > max(base.summary.fit.specification.p, base.summary.fit.specification.q) {
            // The better Fourier candidate with the factors, same order and cycle.
            let candidate = Self.withSeasonalFactors(base.name, options: base.options, summary: base.summary, order: factors)
            try validate(candidate.name, candidate.options)
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
