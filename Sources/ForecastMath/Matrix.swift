/// A small dense matrix of doubles, stored column by column (column-major).
///
/// Column-major storage keeps each column contiguous, which is what the Householder QR
/// in ``QRDecomposition`` walks over: every reflection is a dot product and an update
/// down whole columns. Element `(row, column)` lives at `storage[column * rows + row]`.
///
/// ```swift
/// var a = Matrix(rows: 3, columns: 2)
/// a[0, 1] = 4
/// let b = Matrix(rowArrays: [[1, 2], [3, 4], [5, 6]])
/// let y = b.multiply([1, 1])          // [3, 7, 11]
/// let g = b.transposed * b            // 2 x 2 Gram matrix
/// ```
public struct Matrix: Sendable, Equatable, CustomStringConvertible {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// The elements, column after column; `storage.count == rows * columns`.
    public var storage: [Double]

    /// Creates a `rows` x `columns` matrix with every element equal to `value` (zero by default).
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.storage = [Double](repeating: value, count: rows * columns)
    }

    /// Creates a matrix from its elements listed column after column.
    public init(rows: Int, columns: Int, columnMajor elements: [Double]) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        precondition(elements.count == rows * columns, "a \(rows) x \(columns) matrix needs \(rows * columns) elements; got \(elements.count)")
        self.rows = rows
        self.columns = columns
        self.storage = elements
    }

    /// Creates a matrix whose columns are `columnArrays` (all of equal length).
    public init(columnArrays: [[Double]]) {
        let rows = columnArrays.first?.count ?? 0
        precondition(columnArrays.allSatisfy { $0.count == rows }, "every column must have the same length")
        self.rows = rows
        self.columns = columnArrays.count
        self.storage = Array(columnArrays.joined())
    }

    /// Creates a matrix whose rows are `rowArrays` (all of equal length).
    public init(rowArrays: [[Double]]) {
        let columns = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == columns }, "every row must have the same length")
        self.rows = rowArrays.count
        self.columns = columns
        var storage = [Double](repeating: 0, count: rowArrays.count * columns)
        for (i, row) in rowArrays.enumerated() {
            for (j, value) in row.enumerated() { storage[j * rowArrays.count + i] = value }
        }
        self.storage = storage
    }

    /// The `n` x `n` identity matrix.
    public static func identity(_ n: Int) -> Matrix {
        var matrix = Matrix(rows: n, columns: n)
        for i in 0..<n { matrix[i, i] = 1 }
        return matrix
    }

    /// The element at `row`, `column` (both zero-based).
    @inlinable
    public subscript(row: Int, column: Int) -> Double {
        get {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "matrix index out of range")
            return storage[column * rows + row]
        }
        set {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "matrix index out of range")
            storage[column * rows + row] = newValue
        }
    }

    /// A copy of column `index`.
    public func column(_ index: Int) -> [Double] {
        precondition(index >= 0 && index < columns, "column index out of range")
        return Array(storage[(index * rows)..<((index + 1) * rows)])
    }

    /// A copy of row `index`.
    public func row(_ index: Int) -> [Double] {
        precondition(index >= 0 && index < rows, "row index out of range")
        return (0..<columns).map { storage[$0 * rows + index] }
    }

    /// Overwrites column `index` with `values` (of length `rows`).
    public mutating func setColumn(_ index: Int, to values: [Double]) {
        precondition(index >= 0 && index < columns, "column index out of range")
        precondition(values.count == rows, "a column of this matrix has \(rows) elements; got \(values.count)")
        storage.replaceSubrange((index * rows)..<((index + 1) * rows), with: values)
    }

    /// The matrix made of the leading `count` columns (a cheap contiguous copy).
    public func leadingColumns(_ count: Int) -> Matrix {
        precondition(count >= 0 && count <= columns, "cannot take \(count) of \(columns) columns")
        return Matrix(rows: rows, columns: count, columnMajor: Array(storage[0..<(count * rows)]))
    }

    /// The transpose.
    public var transposed: Matrix {
        var result = Matrix(rows: columns, columns: rows)
        for j in 0..<columns {
            for i in 0..<rows { result.storage[i * columns + j] = storage[j * rows + i] }
        }
        return result
    }

    /// The product `self * vector`; `vector` has `columns` elements.
    public func multiply(_ vector: [Double]) -> [Double] {
        precondition(vector.count == columns, "a \(rows) x \(columns) matrix multiplies vectors of length \(columns); got \(vector.count)")
        var result = [Double](repeating: 0, count: rows)
        storage.withUnsafeBufferPointer { a in
            result.withUnsafeMutableBufferPointer { out in
                for j in 0..<columns {
                    let x = vector[j]
                    if x == 0 { continue }
                    let base = j * rows
                    for i in 0..<rows { out[i] += a[base + i] * x }
                }
            }
        }
        return result
    }

    /// The product `transpose(self) * vector`; `vector` has `rows` elements.
    public func transposeMultiply(_ vector: [Double]) -> [Double] {
        precondition(vector.count == rows, "transpose(A) * v needs v of length \(rows); got \(vector.count)")
        var result = [Double](repeating: 0, count: columns)
        storage.withUnsafeBufferPointer { a in
            vector.withUnsafeBufferPointer { v in
                for j in 0..<columns {
                    let base = j * rows
                    var sum = 0.0
                    for i in 0..<rows { sum += a[base + i] * v[i] }
                    result[j] = sum
                }
            }
        }
        return result
    }

    /// The matrix product `lhs * rhs`.
    public static func * (lhs: Matrix, rhs: Matrix) -> Matrix {
        precondition(lhs.columns == rhs.rows, "cannot multiply \(lhs.rows) x \(lhs.columns) by \(rhs.rows) x \(rhs.columns)")
        var result = Matrix(rows: lhs.rows, columns: rhs.columns)
        for j in 0..<rhs.columns {
            let product = lhs.multiply(rhs.column(j))
            result.storage.replaceSubrange((j * lhs.rows)..<((j + 1) * lhs.rows), with: product)
        }
        return result
    }

    /// Whether every element is finite (no NaN or infinity).
    public var isFinite: Bool { storage.allSatisfy(\.isFinite) }

    /// The rows, one per line, for debugging.
    public var description: String {
        (0..<rows).map { i in row(i).map { "\($0)" }.joined(separator: "\t") }.joined(separator: "\n")
    }
}
