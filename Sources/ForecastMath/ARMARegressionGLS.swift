/// Regression coefficients with ARMA errors by generalised least squares, exactly.
///
/// For `wₜ = Σⱼ βⱼ xⱼₜ + uₜ` with `u` a stationary ARMA, the Kalman filter's standardised
/// one-step errors `vₜ/√Fₜ` are a fixed linear map of the data (the gains do not depend on
/// the values), and for the true `β` they are independent with equal variance. So filtering
/// `w` and every column `xⱼ` through the same filter and regressing one on the others by
/// ordinary least squares gives the exact GLS estimate: the `β` that maximises the exact
/// likelihood at the given ARMA coefficients. Alternating this with the ARMA fit on
/// `w - Xβ` climbs to the joint maximum-likelihood estimate (what SARIMAX with `exog`
/// reaches by optimising everything at once), at one filter pass per regressor per round.
public enum ARMARegressionGLS {
    /// The GLS coefficients of `response` (NaN = missing) on `columns` under ARMA(`ar`, `ma`)
    /// errors; `nil` when the AR part is not stationary or the design is singular.
    public static func coefficients(response: [Double], columns: [[Double]], ar: [Double], ma: [Double]) -> [Double]? {
        let n = response.count
        guard !columns.isEmpty, columns.allSatisfy({ $0.count == n }),
              let start = ARMAKalmanFilter(model: ARMAStateSpace(ar: ar, ma: ma)) else { return nil }
        let missing = response.map(\.isNaN)
        func standardized(_ values: [Double]) -> [Double]? {
            var filter = start
            var out = [Double](repeating: 0, count: n)
            let ok = values.withUnsafeBufferPointer { v in
                out.withUnsafeMutableBufferPointer { filter.filter(v, standardized: $0.baseAddress) }
            }
            return ok ? out : nil
        }
        guard let y = standardized(response) else { return nil }
        var design: [[Double]] = []
        for column in columns {
            // The same missing steps as the response, so the filter's gains are the same.
            let masked = (0..<n).map { missing[$0] ? Double.nan : column[$0] }
            guard let filtered = standardized(masked) else { return nil }
            design.append(filtered)
        }
        // Missing steps contribute zero rows; drop them so the degrees of freedom are right.
        let rows = (0..<n).filter { !missing[$0] }
        return LinearRegressionFit(columns: design.map { c in rows.map { c[$0] } }, response: rows.map { y[$0] })?.coefficients
    }
}
