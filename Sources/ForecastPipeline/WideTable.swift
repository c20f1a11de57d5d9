/// One variable's wide CSV, reduced to the selected city columns.
public struct WideTable: Sendable {
    /// Which variable the file holds.
    public var variable: Variable
    /// The file it was read from.
    public var path: String
    /// The selected city columns, in selection order.
    public var cities: [String]
    /// Every city column in the file's header, in file order.
    public var headerCities: [String]
    /// The hour of each data row, strictly increasing.
    public var times: [Int64]
    /// For each selected city, one value per row; NaN where the cell is empty.
    public var columns: [[Double]]

    /// Number of data rows read.
    public var rowCount: Int { times.count }
}
