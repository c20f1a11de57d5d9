/// Which inverse roots the order search inspects when it rejects near-unit-root models.
///
/// A candidate scores +infinity when an inspected inverse root has modulus above
/// `1 - 0.01`. pmdarima's `_root_test` means to check both polynomials but, when the model
/// has MA terms, overwrites the AR result with the MA one, so in effect it checks the MA
/// roots when `q > 0` and the AR roots otherwise; ``pmdarima`` reproduces that so the
/// search picks what pmdarima picks, ``both`` checks both (Hyndman-Khandakar's intent).
public enum NearUnitRootRule: String, Sendable, Codable, CaseIterable {
    /// MA roots when `q > 0`, else AR roots (pmdarima's effective rule).
    case pmdarima
    /// AR and MA roots.
    case both

    /// The largest inverse-root modulus a model may have.
    public static let limit = 1 - 1e-2

    /// Whether `parameters` pass the check.
    public func accepts(_ parameters: ARIMAParameters) -> Bool {
        let arOK = ARMAParameterTransform.inverseRootsWithin(parameters.ar, radius: Self.limit)
        let maOK = ARMAParameterTransform.inverseRootsWithin(parameters.ma.map { -$0 }, radius: Self.limit)
        switch self {
        case .both: return arOK && maOK
        case .pmdarima: return parameters.ma.isEmpty ? arOK : maOK
        }
    }
}
