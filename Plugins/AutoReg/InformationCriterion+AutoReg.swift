import ForecastMath

extension InformationCriterion {
    /// The criteria AutoReg reports and ranks lag counts by, as statsmodels' `AutoReg` and
    /// `ar_select_order` do: aic, bic and hqic of the least-squares fit
    /// (``value(rss:nobs:parameters:)``, `k` counted statsmodels' way, `df_model + 1`).
    static let autoReg: [InformationCriterion] = [.aic, .bic, .hqic]
}
