#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Maps unconstrained reals to stationary AR (or invertible MA) coefficients and back.
///
/// Monahan's (1984) reparametrisation, as Jones (1980) proposed and statsmodels uses:
/// each unconstrained value `x` becomes a partial autocorrelation `r = x / sqrt(1 + x²)`
/// in (-1, 1), and the Durbin-Levinson recursion turns partial autocorrelations into
/// the coefficients of `1 - φ₁z - … - φₚzᵖ`, whose roots then lie outside the unit circle.
/// The inverse runs the recursion backwards (the "step-down" of Schur-Cohn), which is
/// also a stationarity test.
///
/// ```swift
/// let phi = ARMAParameterTransform.stationaryAR(from: [0.3, -1.2])
/// let back = ARMAParameterTransform.unconstrainedAR(from: phi)   // [0.3, -1.2]
/// ```
public enum ARMAParameterTransform {
    /// AR coefficients `φ` (for `1 - Σ φᵢ zⁱ`) whose polynomial is stationary, from any reals.
    public static func stationaryAR(from unconstrained: [Double]) -> [Double] {
        let pacf = unconstrained.map { $0 / (1 + $0 * $0).squareRoot() }
        return coefficients(fromPartialAutocorrelations: pacf)
    }

    /// The unconstrained values that ``stationaryAR(from:)`` maps to `phi`; `nil` unless stationary.
    public static func unconstrainedAR(from phi: [Double]) -> [Double]? {
        guard let pacf = partialAutocorrelations(from: phi) else { return nil }
        return pacf.map { $0 / (1 - $0 * $0).squareRoot() }
    }

    /// MA coefficients `θ` (for `1 + Σ θⱼ zʲ`) whose polynomial is invertible, from any reals.
    public static func invertibleMA(from unconstrained: [Double]) -> [Double] {
        stationaryAR(from: unconstrained).map { -$0 }
    }

    /// The unconstrained values that ``invertibleMA(from:)`` maps to `theta`; `nil` unless invertible.
    public static func unconstrainedMA(from theta: [Double]) -> [Double]? {
        unconstrainedAR(from: theta.map { -$0 })
    }

    /// Durbin-Levinson: AR coefficients from partial autocorrelations in (-1, 1).
    public static func coefficients(fromPartialAutocorrelations pacf: [Double]) -> [Double] {
        var phi: [Double] = []
        phi.reserveCapacity(pacf.count)
        for (k, r) in pacf.enumerated() {
            var next = phi
            for j in 0..<k { next[j] = phi[j] - r * phi[k - 1 - j] }
            next.append(r)
            phi = next
        }
        return phi
    }

    /// Step-down recursion: partial autocorrelations of `1 - Σ φᵢ zⁱ`; `nil` unless every one lies in (-1, 1).
    public static func partialAutocorrelations(from phi: [Double]) -> [Double]? {
        var current = phi
        var pacf = [Double](repeating: 0, count: phi.count)
        var k = phi.count
        while k > 0 {
            let r = current[k - 1]
            guard r.isFinite, abs(r) < 1 else { return nil }
            pacf[k - 1] = r
            let denominator = 1 - r * r
            var previous = [Double](repeating: 0, count: k - 1)
            for j in 0..<(k - 1) { previous[j] = (current[j] + r * current[k - 2 - j]) / denominator }
            current = previous
            k -= 1
        }
        return pacf
    }

    /// Whether `1 - Σ φᵢ zⁱ` has every root outside the unit circle.
    public static func isStationary(_ phi: [Double]) -> Bool {
        partialAutocorrelations(from: phi) != nil
    }

    /// Whether every inverse root of `1 - Σ φᵢ zⁱ` has modulus at most `radius`.
    ///
    /// Scaling `φᵢ` by `radius⁻ⁱ` scales the inverse roots by `1 / radius`, so this is a
    /// stationarity test of the scaled polynomial; no root finding is needed.
    public static func inverseRootsWithin(_ phi: [Double], radius: Double) -> Bool {
        var scale = 1.0
        let scaled = phi.map { value -> Double in
            scale /= radius
            return value * scale
        }
        return isStationary(scaled)
    }
}
