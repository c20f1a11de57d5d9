import ForecastMath
import PluginKit

/// Turns numerical failures of the fit into plugin errors with messages a user can act on.
enum AutoRegFailure {
    /// The plugin error for a least-squares failure on a design with `terms` and `lags` lag columns.
    static func leastSquares(_ error: LeastSquaresError, terms: DeterministicTerms, lags: Int) -> PluginError {
        switch error {
        case .rankDeficient(let column, let residual):
            let names = terms.columnNames + (0..<lags).map { "lag \($0 + 1)" }
            let name = column < names.count ? names[column] : "column \(column)"
            let hint = column >= terms.columnCount
                ? "the series is constant or follows an exact linear recursion (e.g. a pure sine), so its lags are linearly dependent"
                : "the deterministic terms are collinear for this series length"
            return .numerical("the regression is rank-deficient: \(name) is a linear combination of the columns before it (relative residual \(residual)); \(hint)")
        case .notFinite:
            return .invalidData("the series contains NaN or infinite values")
        case .underdetermined(let rows, let columns):
            return .insufficientData("\(rows) usable observations cannot determine \(columns) regression coefficients")
        case .dimensionMismatch(let text):
            return .internal("least squares: \(text)")
        }
    }
}
