/// The stationary state covariance of an ARMA model in state-space form.
///
/// Solves the discrete Lyapunov equation `P = T P Tᵀ + R Rᵀ` (unit innovation variance)
/// for the companion-form transition `T` of ``ARMAStateSpace``, by writing it as the
/// linear system `(I - T ⊗ T) vec(P) = vec(R Rᵀ)` over the upper triangle of `P`.
/// The state dimension is small (at most a dozen), so a dense solve is cheapest.
public enum StationaryCovariance {
    /// `P` (row-major, `r × r`) for `model`, or `nil` when `T` has a unit root.
    public static func solve(_ model: ARMAStateSpace) -> [Double]? {
        let r = model.dimension
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
}
