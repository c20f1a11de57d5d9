/// Which city columns to keep.
public enum CitySelection: Sendable, Equatable {
    /// Every column of the file.
    case all
    /// These columns, in this order; each must exist.
    case named([String])
}
