import ForecastMath
import PluginKit

/// Turns a series and options into a fitted ``ARIMAModel`` and its summary.
struct ARIMATrainer {
    var options: ARIMAOptions
    var host: HostServices

    /// The smallest series accepted.
    static let minimumCount = 16

    func train(_ series: Series) throws(PluginError) -> (model: ARIMAModel, summary: ARIMASummary) {
        if let index = series.values.firstIndex(where: \.isInfinite) {
            throw .invalidData("observation \(index) of \(series.count) is \(series.values[index]); values must be finite or NaN (missing)")
        }
        let observedCount = MissingValues.observedCount(series.values)
        if observedCount < Self.minimumCount {
            throw .insufficientData("ARIMA needs at least \(Self.minimumCount) observed values; the series has \(observedCount) of \(series.count)")
        }
        // Missing values at the start carry no information; missing values at the end are
        // passed through the fitted model afterwards (as conditioning), so the fit itself
        // starts and ends with an observation.
        let first = series.values.firstIndex { !$0.isNaN }!
        let last = series.values.lastIndex { !$0.isNaN }!
        let observedSpan = Series(values: Array(series.values[first...last]), startTime: series.startTime + Int64(first) * series.stepSeconds,
                                  stepSeconds: series.stepSeconds)
        var (model, summary) = try trainSpan(observedSpan)
        if last < series.count - 1 {
            let tail = Series(values: Array(series.values[(last + 1)...]), startTime: observedSpan.lastTime + series.stepSeconds,
                              stepSeconds: series.stepSeconds)
            model = try model.conditioned(on: tail)
        }
        summary.observations = series.count
        summary.missing = series.count - observedCount
        return (model, summary)
    }

    /// Trains on a series that starts and ends with an observation, choosing the seasonal
    /// structure first when it is `auto`.
    func trainSpan(_ series: Series) throws(PluginError) -> (model: ARIMAModel, summary: ARIMASummary) {
        guard options.seasonal == .auto else { return try train(observed: series) }
        let outcome = try SeasonalStructureChoice(options: options, host: host).choose(series)
        var summary = outcome.summary
        summary.seasonalChoice = outcome.scores
        summary.calibrationCounts = outcome.model.calibration?.sampleCounts ?? []
        return (outcome.model, summary)
    }

    /// Trains on a series that starts and ends with an observation (NaN inside marks a missing value).
    private func train(observed series: Series) throws(PluginError) -> (model: ARIMAModel, summary: ARIMASummary) {
        let y = series.values
        let observedValues = y.filter { !$0.isNaN }
        if Differencing.isConstant(observedValues) {
            throw .numerical("the series is constant (every value is \(observedValues[0])); ARIMA needs variation to fit")
        }
        let scale = observedValues.map(abs).max() ?? 0
        let missing = observedValues.count < y.count
        // Seasonal Fourier part: regression on sine/cosine terms with ARIMA errors.
        var fourier: FourierRegressors?
        var coefficients: [Double] = []
        var testSeries = y
        var columns: [[Double]] = []
        if options.seasonal == .fourier {
            let regressors = FourierRegressors(period: options.period, terms: options.fourierTerms)
            if observedValues.count < max(Self.minimumCount, 2 * options.period) {
                throw .insufficientData("ARIMA with Fourier terms of period \(options.period) needs at least \(max(Self.minimumCount, 2 * options.period)) observed values; the series has \(observedValues.count)")
            }
            // The regressors are defined for every step, observed or not.
            columns = regressors.columns(count: y.count, start: series.startTime, step: series.stepSeconds)
            guard let fit = Self.regression(columns: [[Double](repeating: 1, count: y.count)] + columns, response: y) else {
                throw .numerical("the Fourier regression is singular")
            }
            testSeries = (0..<y.count).map { t in
                y[t] - fit.coefficients[0] - (0..<columns.count).reduce(0) { $0 + fit.coefficients[$1 + 1] * columns[$1][t] }
            }
            fourier = regressors
        }
        let seasonalPeriod = options.seasonal == .difference ? options.period : 0
        if seasonalPeriod > 0 {
            if observedValues.count < Self.minimumCount + 2 * seasonalPeriod {
                throw .insufficientData("ARIMA with seasonal differencing at period \(seasonalPeriod) needs at least \(Self.minimumCount + 2 * seasonalPeriod) observed values; the series has \(observedValues.count)")
            }
            // d is tested on the seasonally differenced series.
            testSeries = DifferencingPolynomial(d: 0, period: seasonalPeriod, seasonalOrder: 1).difference(y)
        }
        // Unit-root tests are regressions on consecutive values: gaps filled by straight lines.
        if missing || seasonalPeriod > 0 { testSeries = MissingValues.filled(testSeries) }
        // Order of differencing.
        let d: Int
        if let order = options.order { d = order[1] }
        else if let fixed = options.d { d = fixed }
        else { d = UnitRootDifferencing.order(testSeries, test: options.test, alpha: options.alpha, maxD: options.maxD) }
        host.progress(0.1, stage: "differencing (d = \(d))")
        try host.checkCancellation()
        var z = y
        if let fourier {
            let differencedColumns = columns.map { Differencing.difference($0, order: d) }
            let dy = Differencing.difference(y, order: d)
            // A constant column absorbs the mean (d = 0) or drift (d > 0), which belongs to the ARIMA part.
            let design = [[Double](repeating: 1, count: dy.count)] + differencedColumns
            guard let fit = Self.regression(columns: design, response: dy) else {
                throw .numerical("the Fourier regression on the differenced series is singular")
            }
            coefficients = Array(fit.coefficients.suffix(2 * fourier.terms))
            z = (0..<y.count).map { t in y[t] - (0..<columns.count).reduce(0) { $0 + coefficients[$1] * columns[$1][t] } }
        }
        // A difference with a missing end is missing (NaN propagates): the likelihood is that of
        // the observed differences.
        let seasonalPolynomial = DifferencingPolynomial(d: d, period: max(seasonalPeriod, 1), seasonalOrder: seasonalPeriod > 0 ? 1 : 0)
        var w = seasonalPeriod > 0 ? seasonalPolynomial.difference(z) : Differencing.difference(z, order: d)
        let wObserved = w.filter { !$0.isNaN }
        guard wObserved.count >= Self.minimumCount - 2 else {
            throw .insufficientData("after \(d) differences only \(wObserved.count) observed values remain")
        }
        let wMean = wObserved.reduce(0, +) / Double(wObserved.count)
        let wSpread = (wObserved.reduce(0) { $0 + ($1 - wMean) * ($1 - wMean) } / Double(wObserved.count)).squareRoot()
        if Differencing.isConstant(wObserved) || wSpread <= 1e-13 * max(scale, 1e-300) {
            throw .numerical("the \(d)-times differenced series is constant; its innovation variance would be zero")
        }
        // As pmdarima's with_intercept='auto': a constant when d + D < 2.
        let constant = options.withConstant ?? (d + (seasonalPeriod > 0 ? 1 : 0) < 2)
        let estimator = ARIMAEstimator(method: options.method, minimizer: BFGSMinimizer(maxIterations: options.maxIterations))

        var fit: ARIMAEstimator.Fit
        var candidates: [StepwiseOrderSearch.Candidate] = []
        var fixedParameters = false
        if let order = options.order {
            let spec = ARIMASpecification(p: order[0], d: d, q: order[2], constant: constant)
            if let params = options.params {
                fit = try Self.evaluate(w, spec: spec, params: params)
                fixedParameters = true
            } else {
                guard let result = estimator.fit(w, specification: spec) else {
                    throw .numerical("\(spec) could not be fitted: no finite likelihood was found")
                }
                fit = result
            }
        } else {
            let maxP = min(options.maxP, wObserved.count / 3), maxQ = min(options.maxQ, wObserved.count / 3)
            let approximate = options.approximation
            let searchEstimator = approximate
                ? ARIMAEstimator(method: .css, minimizer: estimator.minimizer) : estimator
            var fitted = 0
            let fitOne = { (spec: ARIMASpecification) throws(PluginError) -> ARIMAEstimator.Fit? in
                try host.checkCancellation()
                fitted += 1
                host.progress(0.1 + 0.8 * min(Double(fitted) / 20, 1), stage: "fitting \(spec)")
                return searchEstimator.fit(w, specification: spec)
            }
            if options.stepwise {
                let search = StepwiseOrderSearch(start: (options.startP, options.startQ), maxP: maxP, maxQ: maxQ, criterion: options.ic,
                                                rootRule: options.rootCheck)
                candidates = try Self.rethrowing { try search.run(d: d, constant: constant, fit: fitOne) }.candidates
            } else {
                for p in 0...maxP {
                    for q in 0...maxQ where p + q <= options.maxOrder {
                        for withConstant in (constant ? [true, false] : [false]) {
                            let spec = ARIMASpecification(p: p, d: d, q: q, constant: withConstant)
                            let result = try fitOne(spec)
                            var score = Double.infinity
                            if let result, options.rootCheck.accepts(result.parameters) { score = result.criterion(options.ic) }
                            candidates.append(.init(specification: spec, score: score, fit: result))
                        }
                    }
                }
            }
            let ranked = candidates.filter { $0.score.isFinite }.sorted { $0.score < $1.score }
            guard let winner = ranked.first, let winnerFit = winner.fit else {
                throw .numerical("no candidate ARIMA model could be fitted (\(candidates.count) tried)")
            }
            fit = winnerFit
            if approximate {
                // Refit by exact likelihood, falling back to the next candidates if a refit fails.
                var refitted: ARIMAEstimator.Fit?
                for candidate in ranked.prefix(5) {
                    if let exact = estimator.fit(w, specification: candidate.specification),
                       options.rootCheck.accepts(exact.parameters) {
                        refitted = exact
                        break
                    }
                }
                guard let refitted else { throw .numerical("the exact refit of the chosen ARIMA model failed") }
                fit = refitted
            }
        }
        var fourierSearch: [(terms: Int, score: Double, rounds: Int)] = []
        if let seasonal = fourier, !fixedParameters, options.fourierFit == .joint || options.maxFourierTerms != nil {
            host.progress(0.9, stage: "Fourier terms")
            let joint = FourierJointFit(y: y, startTime: series.startTime, stepSeconds: series.stepSeconds, period: seasonal.period, d: d,
                                        estimator: estimator, criterion: options.ic, joint: options.fourierFit == .joint)
            let terms = options.maxFourierTerms.map { Array(1...$0) } ?? [options.fourierTerms]
            var best: FourierJointFit.Result?
            for k in terms {
                try host.checkCancellation()
                guard let result = joint.fit(terms: k, spec: fit.specification) else { continue }
                fourierSearch.append((k, result.score, result.rounds))
                if best == nil || result.score < best!.score { best = result }
            }
            if let best {
                fourier = FourierRegressors(period: seasonal.period, terms: best.terms)
                coefficients = best.coefficients
                z = best.z
                w = best.w
                fit = best.fit
            }
        }
        if options.hasSeasonalFactors, !fixedParameters {
            // The order found without them, then the factors: ARIMA(p,d,q)(P,D,Q) at `period`.
            host.progress(0.92, stage: "seasonal factors at lag \(options.period)")
            try host.checkCancellation()
            let base = fit.specification
            let spec = ARIMASpecification(p: base.p, d: base.d, q: base.q, constant: base.constant, seasonalP: options.fittedSeasonalOrder[0],
                                          seasonalQ: options.fittedSeasonalOrder[1], seasonalLag: options.period)
            var fitSpan = Array(w.suffix(options.seasonalFitPoints ?? w.count))
            if let firstObserved = fitSpan.firstIndex(where: { !$0.isNaN }) { fitSpan.removeFirst(firstObserved) }
            guard var seasonalFit = estimator.fit(fitSpan, specification: spec) else {
                throw .numerical("\(spec) could not be fitted: no finite likelihood was found")
            }
            if fitSpan.count < w.count {
                // The likelihood reported is that of every step at the estimated parameters.
                let p = seasonalFit.parameters
                if let whole = ARMALikelihood.evaluate(w.map { $0 - p.mean }, ar: p.ar, ma: p.ma) {
                    seasonalFit.logLikelihood = whole.logLikelihood
                    seasonalFit.parameters.variance = whole.variance
                    seasonalFit.observations = whole.count
                }
            }
            fit = seasonalFit
        }
        host.progress(0.95, stage: "filtering")
        let parameters = fit.parameters
        guard var filter = ARMAKalmanFilter(model: ARMAStateSpace(ar: parameters.ar, ma: parameters.ma)) else {
            throw .numerical("the fitted AR polynomial of \(fit.specification) has a unit root")
        }
        let centred = w.map { $0 - parameters.mean }
        guard centred.withUnsafeBufferPointer({ filter.filter($0) }) else {
            throw .numerical("the Kalman filter failed on the fitted \(fit.specification)")
        }
        let model = ARIMAModel(specification: fit.specification, parameters: parameters, filter: filter,
                               levels: seasonalPeriod > 0 ? [] : Differencing.lastLevels(missing ? MissingValues.filled(z) : z, order: d), fourier: fourier,
                               fourierCoefficients: coefficients, lastTime: series.lastTime, stepSeconds: series.stepSeconds,
                               bounds: options.bounds.map { $0[0]...$0[1] }, seasonalPeriod: seasonalPeriod,
                               history: seasonalPeriod > 0 ? Array((missing ? MissingValues.filled(z) : z).suffix(seasonalPolynomial.order)) : [],
                               followsLevel: options.followLevel)
        let summary = ARIMASummary(fit: fit, differencingTest: options.order == nil && options.d == nil ? options.test.rawValue : nil,
                                   ic: options.ic, candidates: candidates, fourier: fourier, fourierCoefficients: coefficients,
                                   fixedParameters: fixedParameters, observations: y.count, missing: y.count - observedValues.count,
                                   fourierFit: options.fourierFit, fourierSearch: fourierSearch, seasonalPeriod: seasonalPeriod)
        return (model, summary)
    }

    /// Least squares over the rows whose response is observed.
    static func regression(columns: [[Double]], response: [Double]) -> LinearRegressionFit? {
        let rows = response.indices.filter { !response[$0].isNaN }
        if rows.count == response.count { return LinearRegressionFit(columns: columns, response: response) }
        return LinearRegressionFit(columns: columns.map { column in rows.map { column[$0] } }, response: rows.map { response[$0] })
    }

    /// The exact likelihood at fixed statsmodels-ordered parameters (intercept, AR, MA, σ²).
    static func evaluate(_ w: [Double], spec: ARIMASpecification, params: [Double]) throws(PluginError) -> ARIMAEstimator.Fit {
        var index = 0
        var intercept = 0.0
        if spec.constant { intercept = params[0]; index = 1 }
        let ar = Array(params[index..<(index + spec.p)])
        let ma = Array(params[(index + spec.p)..<(index + spec.p + spec.q)])
        let variance = params[params.count - 1]
        guard ARMAParameterTransform.isStationary(ar) else { throw .invalidArgument("the given AR coefficients are not stationary") }
        let parameters = ARIMAParameters(intercept: intercept, ar: ar, ma: ma, variance: variance)
        guard var filter = ARMAKalmanFilter(model: ARMAStateSpace(ar: ar, ma: ma)) else {
            throw .invalidArgument("the given AR coefficients have a unit root")
        }
        let centred = w.map { $0 - parameters.mean }
        guard centred.withUnsafeBufferPointer({ filter.filter($0) }) else { throw .numerical("the Kalman filter failed") }
        let n = Double(filter.count)
        let logLikelihood = -0.5 * n * log2pi(variance) - 0.5 * filter.sumLogVariance - 0.5 * filter.sumSquares / variance
        return ARIMAEstimator.Fit(specification: spec, parameters: parameters, logLikelihood: logLikelihood,
                                  observations: filter.count, converged: true, evaluations: 1)
    }

    private static func log2pi(_ variance: Double) -> Double {
        ARIMASummary.log(2 * Double.pi * variance)
    }

    /// Runs a closure whose only error type is `PluginError` through a `rethrows` API.
    private static func rethrowing<T>(_ body: () throws -> T) throws(PluginError) -> T {
        do { return try body() } catch let error as PluginError { throw error } catch {
            throw .internal("unexpected error: \(error)")
        }
    }
}
