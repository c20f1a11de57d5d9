/// Quasi-Newton minimisation (BFGS) with central-difference gradients and a backtracking line search.
///
/// Meant for the handful of unconstrained parameters of an ARMA likelihood: the inverse
/// Hessian approximation is dense `k × k`, the gradient costs `2k` evaluations.
///
/// ```swift
/// let result = BFGSMinimizer().minimize(start: [1, 1]) { x in (x[0] - 3) * (x[0] - 3) + x[1] * x[1] }
/// result.point   // ≈ [3, 0]
/// ```
public struct BFGSMinimizer: Sendable {
    /// Stop when the largest gradient component falls below this.
    public var gradientTolerance: Double
    /// Stop when an iteration improves the objective by less than this (relative).
    public var functionTolerance: Double
    /// Give up after this many iterations.
    public var maxIterations: Int
    /// The finite-difference step (relative to `max(1, |x|)`).
    public var differenceStep: Double

    /// Creates a minimiser with the given tolerances.
    public init(gradientTolerance: Double = 1e-7, functionTolerance: Double = 1e-13, maxIterations: Int = 200, differenceStep: Double = 1e-5) {
        self.gradientTolerance = gradientTolerance
        self.functionTolerance = functionTolerance
        self.maxIterations = maxIterations
        self.differenceStep = differenceStep
    }

    /// The outcome of a minimisation.
    public struct Result: Sendable {
        /// The best point found.
        public var point: [Double]
        /// The objective there.
        public var value: Double
        /// Iterations taken.
        public var iterations: Int
        /// Objective evaluations made.
        public var evaluations: Int
        /// Whether a tolerance was met (rather than the iteration limit).
        public var converged: Bool
    }

    /// Minimises `objective` from `start`; a non-finite value counts as +infinity.
    public func minimize(start: [Double], _ objective: ([Double]) -> Double) -> Result {
        let k = start.count
        var evaluations = 0
        func f(_ x: [Double]) -> Double {
            evaluations += 1
            let value = objective(x)
            return value.isFinite ? value : .infinity
        }
        var x = start
        var fx = f(x)
        guard k > 0, fx.isFinite else {
            return Result(point: x, value: fx, iterations: 0, evaluations: evaluations, converged: k == 0 && fx.isFinite)
        }
        func gradient(_ x: [Double], _ fx: Double) -> [Double] {
            var g = [Double](repeating: 0, count: k)
            var probe = x
            for i in 0..<k {
                let h = differenceStep * max(1, abs(x[i]))
                probe[i] = x[i] + h
                let up = f(probe)
                probe[i] = x[i] - h
                let down = f(probe)
                probe[i] = x[i]
                if up.isFinite && down.isFinite {
                    g[i] = (up - down) / (2 * h)
                } else if up.isFinite {
                    g[i] = (up - fx) / h
                } else if down.isFinite {
                    g[i] = (fx - down) / h
                }
            }
            return g
        }
        var g = gradient(x, fx)
        var h = [Double](repeating: 0, count: k * k)
        for i in 0..<k { h[i * k + i] = 1 }
        var iterations = 0
        var converged = false
        while iterations < maxIterations {
            if g.map(abs).max()! < gradientTolerance { converged = true; break }
            iterations += 1
            var direction = [Double](repeating: 0, count: k)
            for i in 0..<k {
                var s = 0.0
                for j in 0..<k { s -= h[i * k + j] * g[j] }
                direction[i] = s
            }
            var slope = zip(direction, g).reduce(0) { $0 + $1.0 * $1.1 }
            if slope >= 0 {
                // Not a descent direction: reset to steepest descent.
                for i in 0..<(k * k) { h[i] = 0 }
                for i in 0..<k { h[i * k + i] = 1; direction[i] = -g[i] }
                slope = -g.reduce(0) { $0 + $1 * $1 }
            }
            // Cap the step so one iteration cannot leap across the parameter space.
            let length = direction.reduce(0) { $0 + $1 * $1 }.squareRoot()
            var step = length > 2 ? 2 / length : 1.0
            var trial = x
            var ftrial = Double.infinity
            var accepted = false
            for _ in 0..<40 {
                for i in 0..<k { trial[i] = x[i] + step * direction[i] }
                ftrial = f(trial)
                if ftrial <= fx + 1e-4 * step * slope { accepted = true; break }
                step *= 0.5
            }
            if !accepted { converged = true; break }
            let gtrial = gradient(trial, ftrial)
            let s = (0..<k).map { trial[$0] - x[$0] }
            let y = (0..<k).map { gtrial[$0] - g[$0] }
            let improvement = fx - ftrial
            x = trial
            let previous = fx
            fx = ftrial
            g = gtrial
            let sy = zip(s, y).reduce(0) { $0 + $1.0 * $1.1 }
            if sy > 1e-12 * (s.reduce(0) { $0 + $1 * $1 }).squareRoot() * (y.reduce(0) { $0 + $1 * $1 }).squareRoot() {
                // H ← (I - ρ s yᵀ) H (I - ρ y sᵀ) + ρ s sᵀ
                let rho = 1 / sy
                var hy = [Double](repeating: 0, count: k)
                for i in 0..<k {
                    var t = 0.0
                    for j in 0..<k { t += h[i * k + j] * y[j] }
                    hy[i] = t
                }
                let yhy = zip(y, hy).reduce(0) { $0 + $1.0 * $1.1 }
                for i in 0..<k {
                    for j in 0..<k {
                        h[i * k + j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j]
                    }
                }
            }
            if improvement <= functionTolerance * max(1, abs(previous)) {
                if g.map(abs).max()! < gradientTolerance * 100 { converged = true; break }
            }
        }
        return Result(point: x, value: fx, iterations: iterations, evaluations: evaluations, converged: converged)
    }
}
