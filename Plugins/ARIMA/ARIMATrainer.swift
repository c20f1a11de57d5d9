import ForecastMath
import PluginKit

/// Turns a series and options into a fitted ``ARIMAModel`` and its summary.
struct ARIMATrainer {
    var options: ARIMAOptions
    var host: HostServices

    /// The smallest series accepted.
    static let minimumCount = 16

    func train(_ series: Series) throws(PluginError) -> (model: ARIMAModel, summary: ARIMASummary) {
        try series.requireFinite()
        try series.requireCount(atLeast: Self.minimumCount, for: "ARIMA")
        let y = series.values
        if Differencing.isConstant(y) {
            throw .numerical("the series is constant (every value is \(y[0])); ARIMA needs variation to fit")
        }
        let scale = y.map(abs).max() ?? 0
        // Seasonal Fourier part: regression on sine/cosine terms with ARIMA errors.
        var fourier: FourierRegressors?
        var coefficients: [Double] = []
        var testSeries = y
        var columns: [[Double]] = []
        if options.seasonal == .fourier {
            let regressors = FourierRegressors(period: options.period, terms: options.fourierTerms)
            try series.requireCount(atLeast: max(Self.minimumCount, 2 * options.period), for: "ARIMA with Fourier terms of period \(options.period)")
            columns = regressors.columns(count: y.count, start: series.startTime, step: series.stepSeconds)
            guard let fit = LinearRegressionFit(columns: [[Double](repeating: 1, count: y.count)] + columns, response: y) else {
                throw .numerical("the Fourier regression is singular")
            }
            testSeries = (0..<y.count).map { t in
                y[t] - fit.coefficients[0] - (0..<columns.count).reduce(0) { $0 + fit.coefficients[$1 + 1] * columns[$1][t] }
            }
            fourier = regressors
        }
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
            guard let fit = LinearRegressionFit(columns: design, response: dy) else {
                throw .numerical("the Fourier regression on the differenced series is singular")
            }
            coefficients = Array(fit.coefficients.suffix(2 * fourier.terms))
            z = (0..<y.count).map { t in y[t] - (0..<columns.count).reduce(0) { $0 + coefficients[$1] * columns[$1][t] } }
        }
        let w = Differencing.difference(z, order: d)
        guard w.count >= Self.minimumCount - 2 else {
            throw .insufficientData("after \(d) differences only \(w.count) observations remain")
        }
        let wMean = w.reduce(0, +) / Double(w.count)
        let wSpread = (w.reduce(0) { $0 + ($1 - wMean) * ($1 - wMean) } / Double(w.count)).squareRoot()
        if Differencing.isConstant(w) || wSpread <= 1e-13 * max(scale, 1e-300) {
            throw .numerical("the \(d)-times differenced series is constant; its innovation variance would be zero")
        }
        let constant = options.withConstant ?? (d < 2)
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
            let maxP = min(options.maxP, w.count / 3), maxQ = min(options.maxQ, w.count / 3)
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
                               levels: Differencing.lastLevels(z, order: d), fourier: fourier,
                               fourierCoefficients: coefficients, lastTime: series.lastTime, stepSeconds: series.stepSeconds)
        let summary = ARIMASummary(fit: fit, differencingTest: options.order == nil && options.d == nil ? options.test.rawValue : nil,
                                   ic: options.ic, candidates: candidates, fourier: fourier, fourierCoefficients: coefficients,
                                   fixedParameters: fixedParameters, observations: y.count)
        return (model, summary)
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
