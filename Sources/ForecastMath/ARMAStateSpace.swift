/// The Harvey state-space form of a zero-mean ARMA(p, q) process.
///
/// State dimension `r = max(p, q + 1)`. With `φ` and `θ` padded with zeros to `r`:
/// `xₜ = αₜ[0]`, `αₜ₊₁ = T αₜ + R εₜ₊₁`, where `T` has `φ` in its first column and ones on
/// the superdiagonal, and `R = (1, θ₁, …, θᵣ₋₁)`. The same form statsmodels' SARIMAX and
/// R's `arima` use for the stationary part of the model.
public struct ARMAStateSpace: Sendable, Equatable {
    /// The state dimension `r`.
    public let dimension: Int
    /// The AR coefficients padded with zeros to `dimension`.
    public let phi: [Double]
    /// `R = (1, θ₁, …)` padded with zeros to `dimension`.
    public let selection: [Double]

    /// Builds the form for AR coefficients `ar` and MA coefficients `ma`.
    public init(ar: [Double], ma: [Double]) {
        let r = max(ar.count, ma.count + 1)
        dimension = r
        var phi = [Double](repeating: 0, count: r)
        for (i, value) in ar.enumerated() { phi[i] = value }
        var selection = [Double](repeating: 0, count: r)
        selection[0] = 1
        for (j, value) in ma.enumerated() { selection[j + 1] = value }
        self.phi = phi
        self.selection = selection
    }

    /// `T v` for a state vector `v`.
    @inlinable
    public func transition(_ v: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: dimension)
        for i in 0..<dimension {
            out[i] = phi[i] * v[0] + (i + 1 < dimension ? v[i + 1] : 0)
        }
        return out
    }

    /// `T M Tᵀ + R Rᵀ` for a row-major symmetric `r × r` matrix `M`.
    public func propagate(_ m: [Double]) -> [Double] {
        let r = dimension
        // N = T M : row i = φ_i M[0,:] + M[i+1,:]
        var n = [Double](repeating: 0, count: r * r)
        for i in 0..<r {
            for j in 0..<r {
                n[i * r + j] = phi[i] * m[j] + (i + 1 < r ? m[(i + 1) * r + j] : 0)
            }
        }
        // N Tᵀ : column j = φ_j N[:,0] + N[:,j+1]
        var out = [Double](repeating: 0, count: r * r)
        for i in 0..<r {
            for j in 0..<r {
                out[i * r + j] = phi[j] * n[i * r] + (j + 1 < r ? n[i * r + j + 1] : 0) + selection[i] * selection[j]
            }
        }
        return out
    }

    /// The MA(∞) weights `ψ₀ = 1, ψ₁, …` of the process, `count` of them.
    public func psiWeights(_ count: Int) -> [Double] {
        var psi = [Double](repeating: 0, count: count)
        guard count > 0 else { return psi }
        psi[0] = 1
        for k in 1..<count {
            var value = k < dimension ? selection[k] : 0
            for i in 1...min(k, dimension) { value += phi[i - 1] * psi[k - i] }
            psi[k] = value
        }
        return psi
    }
}
