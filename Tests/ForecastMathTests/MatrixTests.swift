import ForecastMath
import Testing

/// The dense matrix type: layout, products, transposes.
@Suite("Matrix")
struct MatrixTests {
    /// Row and column constructors agree and storage is column-major.
    @Test func layoutIsColumnMajor() {
        let byRows = Matrix(rowArrays: [[1, 2, 3], [4, 5, 6]])
        let byColumns = Matrix(columnArrays: [[1, 4], [2, 5], [3, 6]])
        #expect(byRows == byColumns)
        #expect(byRows.storage == [1, 4, 2, 5, 3, 6])
        #expect(byRows[1, 2] == 6)
        #expect(byRows.row(0) == [1, 2, 3])
        #expect(byRows.column(1) == [2, 5])
        #expect(byRows.leadingColumns(2) == Matrix(rowArrays: [[1, 2], [4, 5]]))
    }

    /// Matrix-vector, transpose-vector and matrix-matrix products.
    @Test func products() {
        let a = Matrix(rowArrays: [[1, 2], [3, 4], [5, 6]])
        #expect(a.multiply([1, -1]) == [-1, -1, -1])
        #expect(a.transposeMultiply([1, 0, 1]) == [6, 8])
        #expect(a.transposed == Matrix(rowArrays: [[1, 3, 5], [2, 4, 6]]))
        #expect(a.transposed * a == Matrix(rowArrays: [[35, 44], [44, 56]]))
        #expect(Matrix.identity(2) * a.transposed == a.transposed)
    }
}
