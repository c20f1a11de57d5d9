/// Which deterministic trend terms the regression holds (statsmodels' `trend` argument).
enum TrendTerms: String, CaseIterable, Sendable, Codable {
    /// No constant, no trend.
    case none = "n"
    /// A constant (intercept).
    case constant = "c"
    /// A linear time trend without a constant.
    case trend = "t"
    /// A constant and a linear time trend.
    case constantAndTrend = "ct"

    /// Whether the terms include a constant column.
    var hasConstant: Bool { self == .constant || self == .constantAndTrend }
    /// Whether the terms include a linear time-trend column.
    var hasTrend: Bool { self == .trend || self == .constantAndTrend }
    /// Number of columns: 0, 1 or 2.
    var columnCount: Int { (hasConstant ? 1 : 0) + (hasTrend ? 1 : 0) }

    /// A small integer for the model blob.
    var code: Int {
        switch self {
        case .none: return 0
        case .constant: return 1
        case .trend: return 2
        case .constantAndTrend: return 3
        }
    }

    /// The terms with blob code `code`, or nil.
    init?(code: Int) {
        guard let match = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = match
    }
}
