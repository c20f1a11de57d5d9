/// Least-squares fit of the conditional sum of squares by Levenberg-Marquardt.
///
/// The CSS residuals `eₜ = xₜ - Σ φᵢ xₜ₋ᵢ - Σ θⱼ eₜ₋ⱼ` (with `xₜ = wₜ - μ`, `t ≥ p`) and
/// their exact derivatives with respect to `(μ, φ, θ)` come from one recursion, so each
/// iteration is a single `O(n k q + n k²)` pass that accumulates `JᵀJ` and `Jᵀe`. A few
/// iterations reach the optimum, far fewer passes than a quasi-Newton method with
/// finite differences needs. Steps that leave the stationary / invertible region are
/// damped until they stay inside.
public enum CSSLevenbergMarquardt {
    /// The fitted parameters and the sum of squares there.
    public struct Result: Sendable {
        /// The mean `μ` (0 when not estimated).
        public var mean: Double
        /// AR coefficients.
        public var ar: [Double]
        /// MA coefficients.
        public var ma: [Double]
        /// The residual sum of squares.
        public var sumOfSquares: Double
        /// The number of residuals (`n - p`).
        public var count: Int
        /// Passes over the data made.
        public var passes: Int
    }

    /// One pass: the sum of squares and, when `jacobian` is true, `JᵀJ` (row-major) and `Jᵀe`.
    static func pass(_ w: UnsafeBufferPointer<Double>, mean: Double, estimateMean: Bool, ar: [Double], ma: [Double],
                     jacobian: Bool) -> (ssr: Double, jtj: [Double], jte: [Double]) {
        let p = ar.count, q = ma.count
        let k = (estimateMean ? 1 : 0) + p + q
        let n = w.count
        var e = [Double](repeating: 0, count: n)
        var jtj = [Double](repeating: 0, count: jacobian ? k * k : 0)
        var jte = [Double](repeating: 0, count: jacobian ? k : 0)
        // Derivative history: row t holds ∂eₜ/∂θ (k values), as a ring of q + 1 rows.
        let ring = q + 1
        var history = [Double](repeating: 0, count: jacobian ? ring * k : 0)
        var current = [Double](repeating: 0, count: k)
        var ssr = 0.0
        let arSum = ar.reduce(0, +)
        let meanOffset = estimateMean ? 1 : 0
        e.withUnsafeMutableBufferPointer { e in
            history.withUnsafeMutableBufferPointer { h in
                jtj.withUnsafeMutableBufferPointer { jtj in
                    jte.withUnsafeMutableBufferPointer { jte in
                        current.withUnsafeMutableBufferPointer { g in
                            ar.withUnsafeBufferPointer { phi in
                                ma.withUnsafeBufferPointer { theta in
                                    for t in p..<n {
                                        var value = w[t] - mean
                                        for i in 0..<p { value -= phi[i] * (w[t - i - 1] - mean) }
                                        for j in 0..<q where t - j - 1 >= p { value -= theta[j] * e[t - j - 1] }
                                        e[t] = value
                                        ssr += value * value
                                        guard jacobian else { continue }
                                        // Direct terms.
                                        if estimateMean { g[0] = -1 + arSum }
                                        for i in 0..<p { g[meanOffset + i] = -(w[t - i - 1] - mean) }
                                        for j in 0..<q { g[meanOffset + p + j] = t - j - 1 >= p ? -e[t - j - 1] : 0 }
                                        // Recursive terms: - Σ θⱼ ∂eₜ₋ⱼ/∂θ.
                                        for j in 0..<q where t - j - 1 >= p {
                                            let row = ((t - j - 1) % ring) * k
                                            let coefficient = theta[j]
                                            for c in 0..<k { g[c] -= coefficient * h[row + c] }
                                        }
                                        let row = (t % ring) * k
                                        for c in 0..<k {
                                            h[row + c] = g[c]
                                            jte[c] += g[c] * value
                                            let gc = g[c]
                                            for r in c..<k { jtj[c * k + r] += gc * g[r] }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if jacobian {
            for c in 0..<k { for r in 0..<c { jtj[c * k + r] = jtj[r * k + c] } }
        }
        return (ssr, jtj, jte)
    }

    /// Minimises the CSS of `w` from the given start; `nil` if no finite sum of squares exists.
    public static func fit(_ w: [Double], estimateMean: Bool, mean startMean: Double, ar startAR: [Double], ma startMA: [Double],
                           maxIterations: Int = 100) -> Result? {
        let p = startAR.count, q = startMA.count
        let k = (estimateMean ? 1 : 0) + p + q
        guard w.count > p + k + 1 else { return nil }
        var mean = startMean, ar = startAR, ma = startMA
        var passes = 0
        func valid(_ ar: [Double], _ ma: [Double]) -> Bool {
            ARMAParameterTransform.inverseRootsWithin(ar, radius: 1 - 1e-7)
                && ARMAParameterTransform.inverseRootsWithin(ma.map { -$0 }, radius: 1 - 1e-7)
        }
        return w.withUnsafeBufferPointer { buffer -> Result? in
            var current = pass(buffer, mean: mean, estimateMean: estimateMean, ar: ar, ma: ma, jacobian: k > 0)
            passes += 1
            guard current.ssr.isFinite else { return nil }
            var lambda = 1e-3
            var iteration = 0
            while k > 0 && iteration < maxIterations {
                iteration += 1
                var improved = false
                for _ in 0..<12 {
                    var a = current.jtj
                    for c in 0..<k { a[c * k + c] += lambda * max(current.jtj[c * k + c], 1e-12) }
                    guard let step = DenseLinearSolve.solve(a, current.jte.map { -$0 }, size: k) else { lambda *= 10; continue }
                    var offset = 0
                    var trialMean = mean
                    if estimateMean { trialMean += step[0]; offset = 1 }
                    let trialAR = (0..<p).map { ar[$0] + step[offset + $0] }
                    let trialMA = (0..<q).map { ma[$0] + step[offset + p + $0] }
                    guard valid(trialAR, trialMA) else { lambda *= 10; continue }
                    let trial = pass(buffer, mean: trialMean, estimateMean: estimateMean, ar: trialAR, ma: trialMA, jacobian: true)
                    passes += 1
                    if trial.ssr.isFinite && trial.ssr < current.ssr {
                        let decrease = (current.ssr - trial.ssr) / max(current.ssr, 1e-300)
                        mean = trialMean
                        ar = trialAR
                        ma = trialMA
                        current = trial
                        lambda = max(lambda / 10, 1e-12)
                        improved = decrease > 1e-12
                        break
                    }
                    lambda *= 10
                }
                if !improved { break }
            }
            return Result(mean: mean, ar: ar, ma: ma, sumOfSquares: current.ssr, count: w.count - p, passes: passes)
        }
    }
}
