#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Exact maximum likelihood of an ARMA with mean as a nonlinear least-squares problem.
///
/// With `σ²` concentrated out, maximising the exact likelihood minimises
/// `Σ (vₜ/√Fₜ)² · exp(Σ log Fₜ / n)`, a plain sum of squares of the residuals
/// `rₜ = vₜ/√Fₜ · exp(Σ log Fₜ / 2n)` (the standardised Kalman innovations, rescaled by
/// the geometric mean of `√Fₜ`). Levenberg-Marquardt on these residuals, with a
/// forward-difference Jacobian (`k` extra filter passes), converges in a few iterations
/// from CSS estimates, where a quasi-Newton method needs hundreds of likelihood evaluations.
public enum ExactLevenbergMarquardt {
    /// The optimum found.
    public struct Result: Sendable {
        /// The mean.
        public var mean: Double
        /// AR coefficients.
        public var ar: [Double]
        /// MA coefficients.
        public var ma: [Double]
        /// Filter passes made.
        public var passes: Int
    }

    /// Refines `(mean, ar, ma)` for `w`; `nil` if the start has no finite likelihood.
    public static func fit(_ w: [Double], estimateMean: Bool, mean startMean: Double, ar startAR: [Double], ma startMA: [Double],
                           meanScale: Double, maxIterations: Int = 50) -> Result? {
        let p = startAR.count, q = startMA.count
        let k = (estimateMean ? 1 : 0) + p + q
        let n = w.count
        var passes = 0
        func split(_ x: [Double]) -> (Double, [Double], [Double]) {
            let offset = estimateMean ? 1 : 0
            return (estimateMean ? x[0] : startMean, Array(x[offset..<(offset + p)]), Array(x[(offset + p)..<(offset + p + q)]))
        }
        func valid(_ x: [Double]) -> Bool {
            let (_, ar, ma) = split(x)
            return ARMAParameterTransform.inverseRootsWithin(ar, radius: 1 - 1e-7)
                && ARMAParameterTransform.inverseRootsWithin(ma.map { -$0 }, radius: 1 - 1e-7)
        }
        /// Fills `out` with the residuals at `x`; returns their sum of squares.
        func residuals(_ x: [Double], _ out: inout [Double]) -> Double? {
            passes += 1
            let (mean, ar, ma) = split(x)
            guard var filter = ARMAKalmanFilter(model: ARMAStateSpace(ar: ar, ma: ma)) else { return nil }
            let ok = w.withUnsafeBufferPointer { values in
                out.withUnsafeMutableBufferPointer { filter.filter(values, offset: mean, standardized: $0.baseAddress) }
            }
            guard ok, filter.count > 0 else { return nil }
            let scale = exp(0.5 * filter.sumLogVariance / Double(max(filter.count, 1)))
            var sum = 0.0
            for t in 0..<n {
                out[t] *= scale
                sum += out[t] * out[t]
            }
            return sum.isFinite ? sum : nil
        }
        var x = (estimateMean ? [startMean] : []) + startAR + startMA
        guard k > 0, valid(x) else { return Result(mean: startMean, ar: startAR, ma: startMA, passes: 0) }
        var r = [Double](repeating: 0, count: n)
        guard var current = residuals(x, &r) else { return nil }
        var columns = [[Double]](repeating: [Double](repeating: 0, count: n), count: k)
        var trialResiduals = [Double](repeating: 0, count: n)
        var lambda = 1e-4
        for _ in 0..<maxIterations {
            // Forward-difference Jacobian.
            var steps = [Double](repeating: 0, count: k)
            for c in 0..<k {
                var probe = x
                let h = (estimateMean && c == 0) ? 1e-6 * max(abs(meanScale), 1e-8) : 1e-7 * max(abs(x[c]), 0.1)
                probe[c] += h
                if !valid(probe) { probe[c] = x[c] - h }
                steps[c] = probe[c] - x[c]
                guard residuals(probe, &columns[c]) != nil else { return Result(mean: split(x).0, ar: split(x).1, ma: split(x).2, passes: passes) }
                for t in 0..<n { columns[c][t] = (columns[c][t] - r[t]) / steps[c] }
            }
            var jtj = [Double](repeating: 0, count: k * k)
            var jtr = [Double](repeating: 0, count: k)
            for a in 0..<k {
                columns[a].withUnsafeBufferPointer { ca in
                    var s = 0.0
                    for t in 0..<n { s += ca[t] * r[t] }
                    jtr[a] = s
                    for b in a..<k {
                        columns[b].withUnsafeBufferPointer { cb in
                            var s = 0.0
                            for t in 0..<n { s += ca[t] * cb[t] }
                            jtj[a * k + b] = s
                            jtj[b * k + a] = s
                        }
                    }
                }
            }
            var improved = false
            var decrease = 0.0
            for _ in 0..<12 {
                var a = jtj
                for c in 0..<k { a[c * k + c] += lambda * max(jtj[c * k + c], 1e-12) }
                guard let step = DenseLinearSolve.solve(a, jtr.map { -$0 }, size: k) else { lambda *= 10; continue }
                let trial = (0..<k).map { x[$0] + step[$0] }
                guard valid(trial) else { lambda *= 10; continue }
                if let value = residuals(trial, &trialResiduals), value < current {
                    decrease = (current - value) / current
                    x = trial
                    current = value
                    swap(&r, &trialResiduals)
                    lambda = max(lambda / 10, 1e-12)
                    improved = true
                    break
                }
                lambda *= 10
            }
            if !improved || decrease < 1e-13 { break }
        }
        let (mean, ar, ma) = split(x)
        return Result(mean: mean, ar: ar, ma: ma, passes: passes)
    }
}
