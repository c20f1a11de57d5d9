#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Kalman filter for a zero-mean ARMA process with unit innovation variance.
///
/// Starts from the stationary distribution (``StationaryCovariance``) and runs the
/// prediction-error decomposition over observations. Once the predicted state
/// covariance stops changing, the filter switches to its steady state: the gain and
/// the innovation variance are frozen and each further step costs `O(r)`. No per-step
/// covariance is stored. Because the innovation variance is 1, the scale `σ²` can be
/// concentrated out of the likelihood (see ``ARMALikelihood``).
///
/// The filter is a value: copy it to branch (e.g. to condition a fitted model on newer
/// observations without touching the original).
public struct ARMAKalmanFilter: Sendable, Equatable {
    /// The model being filtered.
    public let model: ARMAStateSpace
    /// The predicted state `a(t|t-1)` for the next observation.
    public private(set) var state: [Double]
    /// The predicted state covariance `P(t|t-1)` (row-major, unit innovation variance).
    public private(set) var covariance: [Double]
    /// Whether the covariance has converged to its steady state.
    public private(set) var isSteady = false
    /// Observations filtered so far.
    public private(set) var count = 0
    /// Σ log Fₜ over the filtered observations.
    public private(set) var sumLogVariance = 0.0
    /// Σ vₜ² / Fₜ (standardised squared one-step errors).
    public private(set) var sumSquares = 0.0

    /// The absolute change in `P` below which the filter counts as converged.
    public static let convergenceTolerance = 1e-13

    /// Starts the filter at the stationary distribution; `nil` if the AR part has a unit root.
    public init?(model: ARMAStateSpace) {
        guard let p0 = StationaryCovariance.solve(model), p0[0] > 0 else { return nil }
        self.model = model
        state = [Double](repeating: 0, count: model.dimension)
        covariance = p0
    }

    /// Restores a filter from a saved state (for models read back from a blob).
    public init(model: ARMAStateSpace, state: [Double], covariance: [Double], isSteady: Bool) {
        precondition(state.count == model.dimension && covariance.count == model.dimension * model.dimension)
        self.model = model
        self.state = state
        self.covariance = covariance
        self.isSteady = isSteady
    }

    /// The one-step prediction of the next observation and its variance (unit `σ²`).
    public var prediction: (mean: Double, variance: Double) { (state[0], covariance[0]) }

    /// Filters `values - offset` (`offset` is the series' mean), accumulating the likelihood terms.
    ///
    /// A NaN value is a missing observation: the filter skips its update step and only
    /// predicts (`a ← T a`, `P ← T P Tᵀ + R Rᵀ`), as statsmodels' SARIMAX does, so the sums
    /// are the exact likelihood of the observed values; ``count`` counts observed values only.
    /// After a missing value the covariance is no longer steady and the exact recursion
    /// resumes until it converges again.
    ///
    /// When `standardized` is given, the standardised one-step errors `vₜ / √Fₜ` are written
    /// to it (one per value, in order; 0 for a missing value).
    ///
    /// Returns `false` if an innovation variance became non-positive or non-finite.
    @discardableResult
    public mutating func filter(_ values: UnsafeBufferPointer<Double>, offset: Double = 0,
                                standardized: UnsafeMutablePointer<Double>? = nil) -> Bool {
        let r = model.dimension
        var t = 0
        let n = values.count
        var a = state
        var p = covariance
        var logSum = sumLogVariance
        var squares = sumSquares
        var observed = 0
        var ok = true
        let phi = model.phi
        var u = [Double](repeating: 0, count: r)
        var m = [Double](repeating: 0, count: r * r)
        while ok && t < n {
            // Exact phase: full covariance recursion until P converges.
            if !isSteady {
                while t < n {
                    let f = p[0]
                    guard f > 0, f.isFinite else { ok = false; break }
                    let y = values[t]
                    if y.isNaN {
                        // Missing: prediction step only.
                        standardized?[t] = 0
                        a = model.transition(a)
                        p = model.propagate(p)
                        t += 1
                        continue
                    }
                    let v = y - offset - a[0]
                    logSum += log(f)
                    squares += v * v / f
                    observed += 1
                    standardized?[t] = v / f.squareRoot()
                    let scaled = v / f
                    for i in 0..<r { u[i] = a[i] + p[i * r] * scaled }
                    for i in 0..<r {
                        a[i] = phi[i] * u[0] + (i + 1 < r ? u[i + 1] : 0)
                    }
                    for i in 0..<r {
                        let pi0 = p[i * r] / f
                        for j in 0..<r { m[i * r + j] = p[i * r + j] - pi0 * p[j] }
                    }
                    let next = model.propagate(m)
                    var change = 0.0
                    for k in 0..<(r * r) { change = max(change, abs(next[k] - p[k])) }
                    p = next
                    t += 1
                    if change < Self.convergenceTolerance {
                        isSteady = true
                        break
                    }
                }
            }
            guard ok && isSteady && t < n else { break }
            // Steady phase: frozen gain, O(r) per observation, until the next missing value.
            let f = p[0]
            let logF = log(f)
            var gain = [Double](repeating: 0, count: r)
            for i in 0..<r { gain[i] = p[i * r] / f }
            let first = t
            let inverseRoot = 1 / f.squareRoot()
            var localSquares = 0.0
            a.withUnsafeMutableBufferPointer { aa in
                gain.withUnsafeBufferPointer { g in
                    phi.withUnsafeBufferPointer { ph in
                        if r <= 4 {
                            // Zero-padded to four lanes: a ← φ u₀ + shift(a) + shift(g) v.
                            var a4 = SIMD4<Double>(repeating: 0)
                            var phi4 = SIMD4<Double>(repeating: 0)
                            var shiftedGain = SIMD4<Double>(repeating: 0)
                            for i in 0..<r {
                                a4[i] = aa[i]
                                phi4[i] = ph[i]
                                if i + 1 < r { shiftedGain[i] = g[i + 1] }
                            }
                            let g0 = g[0]
                            while t < n {
                                let y = values[t]
                                if y.isNaN { break }
                                let v = y - offset - a4[0]
                                localSquares += v * v
                                standardized?[t] = v * inverseRoot
                                let u0 = a4[0] + g0 * v
                                let shifted = SIMD4<Double>(a4[1], a4[2], a4[3], 0)
                                a4 = phi4 * u0 + shifted + shiftedGain * v
                                t += 1
                            }
                            for i in 0..<r { aa[i] = a4[i] }
                        } else {
                            while t < n {
                                let y = values[t]
                                if y.isNaN { break }
                                let v = y - offset - aa[0]
                                localSquares += v * v
                                standardized?[t] = v * inverseRoot
                                let u0 = aa[0] + g[0] * v
                                for i in 0..<(r - 1) {
                                    aa[i] = ph[i] * u0 + aa[i + 1] + g[i + 1] * v
                                }
                                aa[r - 1] = ph[r - 1] * u0
                                t += 1
                            }
                        }
                    }
                }
            }
            let steps = t - first
            logSum += Double(steps) * logF
            squares += localSquares / f
            observed += steps
            if t < n {
                // A missing value ends the steady phase.
                isSteady = false
            }
        }
        state = a
        covariance = p
        sumLogVariance = logSum
        sumSquares = squares
        count += observed
        return ok && t == n
    }
}
