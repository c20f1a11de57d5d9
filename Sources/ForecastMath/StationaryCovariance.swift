/// The stationary state covariance of an ARMA model in state-space form.
///
/// Solves the discrete Lyapunov equation `P = T P Tᵀ + R Rᵀ` (unit innovation variance)
/// for the companion-form transition `T` of ``ARMAStateSpace``, by writing it as the
/// linear system `(I - T ⊗ T) vec(P) = vec(R Rᵀ)` over the upper triangle of `P`.
/// For the small states of non-seasonal models (at most a dozen) a dense solve is cheapest;
/// a seasonal AR factor makes the state as long as the season (`r ≈ 26` for a daily one),
/// where the dense system of `r(r+1)/2` unknowns costs `O(r⁶)`, so there the sum
/// `P = Σₖ Tᵏ R Rᵀ Tᵀᵏ` is computed by doubling (Smith's method, `O(r³)` per step): after
/// `k` steps it holds `2ᵏ` terms, and the terms left are below rounding once the spectral
/// radius of `T` raised to `2ᵏ` is.
public enum StationaryCovariance {
    /// The largest state solved by the dense linear system.
    public static let denseLimit = 12

    /// `P` (row-major, `r × r`) for `model`, or `nil` when `T` has a unit root.
    public static func solve(_ model: ARMAStateSpace) -> [Double]? {
        let r = model.dimension
        if r > denseLimit { return doubling(model) }
        // Unknowns: P[i][j] for i <= j.
        var index = [Int](repeating: 0, count: r * r)
        var count = 0
        for i in 0..<r {
            for j in i..<r {
                index[i * r + j] = count
                index[j * r + i] = count
                count += 1
            }
        }
        // (T P Tᵀ)[i][j] = Σ_k Σ_l T[i][k] P[k][l] T[j][l]; T[i][k] = φ_i (k = 0) + [k = i + 1].
        func transitionEntries(_ i: Int) -> [(Int, Double)] {
            var entries: [(Int, Double)] = []
            if model.phi[i] != 0 { entries.append((0, model.phi[i])) }
            if i + 1 < r { entries.append((i + 1, 1)) }
            return entries
        }
        var system = [Double](repeating: 0, count: count * count)
        var rhs = [Double](repeating: 0, count: count)
        for i in 0..<r {
            for j in i..<r {
                let row = index[i * r + j]
                system[row * count + row] += 1
                for (k, tik) in transitionEntries(i) {
                    for (l, tjl) in transitionEntries(j) {
                        system[row * count + index[k * r + l]] -= tik * tjl
                    }
                }
                rhs[row] = model.selection[i] * model.selection[j]
            }
        }
        guard let solution = DenseLinearSolve.solve(system, rhs, size: count) else { return nil }
        var covariance = [Double](repeating: 0, count: r * r)
        for i in 0..<r {
            for j in 0..<r { covariance[i * r + j] = solution[index[i * r + j]] }
        }
        return covariance
    }

    /// `P` by doubling: `P ← P + A P Aᵀ`, `A ← A²` from `P = R Rᵀ`, `A = T`, until `A` vanishes;
    /// `nil` when `T` is not stable (its powers do not shrink) or the sum is not positive.
    static func doubling(_ model: ARMAStateSpace) -> [Double]? {
        guard ARMAParameterTransform.isStationary(model.phi) else { return nil }
        let r = model.dimension
        var a = [Double](repeating: 0, count: r * r)
        for i in 0..<r {
            a[i * r] = model.phi[i]
            if i + 1 < r { a[i * r + i + 1] = 1 }
        }
        var p = [Double](repeating: 0, count: r * r)
        for i in 0..<r {
            for j in 0..<r { p[i * r + j] = model.selection[i] * model.selection[j] }
        }
        func multiply(_ x: [Double], _ y: [Double], transposeY: Bool = false) -> [Double] {
            var out = [Double](repeating: 0, count: r * r)
            for i in 0..<r {
                for k in 0..<r {
                    let xik = x[i * r + k]
                    if xik == 0 { continue }
                    for j in 0..<r { out[i * r + j] += xik * (transposeY ? y[j * r + k] : y[k * r + j]) }
                }
            }
            return out
        }
        for _ in 0..<64 {
            let added = multiply(multiply(a, p), a, transposeY: true)
            var largestAdded = 0.0, largestP = 0.0
            for k in 0..<(r * r) {
                p[k] += added[k]
                largestAdded = max(largestAdded, abs(added[k]))
                largestP = max(largestP, abs(p[k]))
            }
            guard largestP.isFinite else { return nil }
            if largestAdded <= 1e-17 * largestP {
                // Symmetric by construction up to rounding; make it exactly so.
                for i in 0..<r {
                    for j in (i + 1)..<r {
                        let mean = 0.5 * (p[i * r + j] + p[j * r + i])
                        p[i * r + j] = mean
                        p[j * r + i] = mean
                    }
                }
                return p[0] > 0 ? p : nil
            }
            a = multiply(a, a)
        }
        return nil
    }
}
