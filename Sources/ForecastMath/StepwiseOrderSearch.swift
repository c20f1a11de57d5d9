/// The stepwise Hyndman-Khandakar order search, with the moves pmdarima's `auto_arima` makes.
///
/// Fits the start order, ARIMA(0,d,0), (1,d,0), (0,d,1) and, with a constant, (0,d,0)
/// without it; then, from the best so far, repeatedly tries p±1, q±1, both ±1 and the
/// constant toggled, moving to the first improvement, until no move improves or
/// `maxModels` fits have been made. A model whose inspected inverse roots reach
/// `1 - 0.01` in modulus scores +infinity (see ``NearUnitRootRule``).
public struct StepwiseOrderSearch: Sendable {
    /// The start order `(p, q)`.
    public var start: (p: Int, q: Int)
    /// The largest orders tried.
    public var maxP: Int, maxQ: Int
    /// The criterion minimised.
    public var criterion: InformationCriterion
    /// The most models fitted (pmdarima: 100).
    public var maxModels: Int
    /// Which roots must stay away from the unit circle.
    public var rootRule: NearUnitRootRule

    /// Creates a search.
    public init(start: (p: Int, q: Int), maxP: Int, maxQ: Int, criterion: InformationCriterion, maxModels: Int = 100,
                rootRule: NearUnitRootRule = .pmdarima) {
        self.start = start
        self.maxP = maxP
        self.maxQ = maxQ
        self.criterion = criterion
        self.maxModels = maxModels
        self.rootRule = rootRule
    }

    /// One candidate's outcome.
    public struct Candidate: Sendable {
        /// Its specification.
        public var specification: ARIMASpecification
        /// Its criterion (+infinity when the fit failed or a root is near the unit circle).
        public var score: Double
        /// The fit, when it succeeded.
        public var fit: ARIMAEstimator.Fit?

        /// Creates a candidate record.
        public init(specification: ARIMASpecification, score: Double, fit: ARIMAEstimator.Fit?) {
            self.specification = specification
            self.score = score
            self.fit = fit
        }
    }

    /// What the search found.
    public struct Outcome: Sendable {
        /// The best candidate (finite score), if any.
        public var best: Candidate?
        /// Every candidate, in the order fitted.
        public var candidates: [Candidate]
    }

    /// Runs the search with `d` and the initial constant setting; `fit` fits one specification.
    public func run(d: Int, constant initialConstant: Bool,
                   fit: (ARIMASpecification) throws -> ARIMAEstimator.Fit?) rethrows -> Outcome {
        var candidates: [Candidate] = []
        var scores: [ARIMASpecification: Double] = [:]
        var best: Candidate?
        var withConstant = initialConstant

        func tryFit(_ p: Int, _ q: Int, constant: Bool? = nil) throws -> Bool {
            let spec = ARIMASpecification(p: p, d: d, q: q, constant: constant ?? withConstant)
            if scores[spec] != nil { return false }
            var score = Double.infinity
            let result = try fit(spec)
            if let result {
                let value = result.criterion(criterion)
                if value.isFinite && rootRule.accepts(result.parameters) { score = value }
            }
            scores[spec] = score
            let candidate = Candidate(specification: spec, score: score, fit: result)
            candidates.append(candidate)
            guard score.isFinite else { return false }
            if let current = best, current.score <= score { return false }
            best = candidate
            return true
        }

        var p = min(start.p, maxP), q = min(start.q, maxQ)
        _ = try tryFit(p, q)
        if try tryFit(0, 0) { p = 0; q = 0 }
        if maxP > 0, try tryFit(1, 0) { p = 1; q = 0 }
        if maxQ > 0, try tryFit(0, 1) { p = 0; q = 1 }
        if withConstant, try tryFit(0, 0, constant: false) { p = 0; q = 0 }

        var previousCount = -1
        while previousCount < candidates.count && candidates.count < maxModels {
            previousCount = candidates.count
            // The neighbourhood in pmdarima's order; 99 marks a move outside the bounds.
            let moves: [(Int, Int)] = [
                (p > 0 ? -1 : 99, 0), (0, q > 0 ? -1 : 99),
                (p < maxP ? 1 : 99, 0), (0, q < maxQ ? 1 : 99),
                (q > 0 && p > 0 ? -1 : 99, -1), (p > 0 && q < maxQ ? -1 : 99, 1),
                (p < maxP && q > 0 ? 1 : 99, -1), (p < maxP && q < maxQ ? 1 : 99, 1),
            ]
            var moved = false
            for (dp, dq) in moves where dp != 99 && dq != 99 {
                if candidates.count >= maxModels { break }
                if try tryFit(p + dp, q + dq) {
                    p += dp
                    q += dq
                    moved = true
                    break
                }
            }
            if !moved && candidates.count < maxModels {
                if try tryFit(p, q, constant: !withConstant) {
                    withConstant.toggle()
                    moved = true
                }
            }
            if !moved { break }
        }
        return Outcome(best: best, candidates: candidates)
    }
}
