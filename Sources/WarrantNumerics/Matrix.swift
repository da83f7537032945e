/// A dense row-major matrix that owns its storage.
///
/// Activations are row vectors: a batch of `n` activations of width `d` is an
/// `n × d` matrix. Hot loops should go through
/// ``withUnsafeMutableBufferPointer(_:)`` or hand the work to BLAS.
public struct Matrix<T: BLASScalar>: Sendable, Equatable {
    public let rows: Int
    public let cols: Int
    public var storage: [T]

    @inlinable public init(rows: Int, cols: Int, repeating value: T = 0) {
        precondition(rows >= 0 && cols >= 0, "negative matrix dimensions")
        self.rows = rows
        self.cols = cols
        self.storage = [T](repeating: value, count: rows * cols)
    }

    @inlinable public init(rows: Int, cols: Int, storage: [T]) {
        precondition(storage.count == rows * cols, "storage has \(storage.count) elements, expected \(rows)×\(cols)")
        self.rows = rows
        self.cols = cols
        self.storage = storage
    }

    /// A matrix from nested rows (all of equal length).
    @inlinable public init(_ nested: [[T]]) {
        let r = nested.count, c = nested.first?.count ?? 0
        precondition(nested.allSatisfy { $0.count == c }, "ragged rows")
        self.init(rows: r, cols: c, storage: nested.flatMap { $0 })
    }

    @inlinable public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, cols: n)
        for i in 0..<n { m.storage[i * n + i] = 1 }
        return m
    }

    @inlinable public subscript(row: Int, col: Int) -> T {
        get { storage[row * cols + col] }
        set { storage[row * cols + col] = newValue }
    }

    @inlinable public var count: Int { storage.count }
    @inlinable public var shape: (rows: Int, cols: Int) { (rows, cols) }

    @inlinable public func row(_ i: Int) -> [T] { Array(storage[(i * cols)..<((i + 1) * cols)]) }

    @inlinable public func column(_ j: Int) -> [T] { (0..<rows).map { storage[$0 * cols + j] } }

    /// Rows `range` as a new matrix.
    @inlinable public func rows(_ range: Range<Int>) -> Matrix {
        Matrix(rows: range.count, cols: cols, storage: Array(storage[(range.lowerBound * cols)..<(range.upperBound * cols)]))
    }

    /// The rows at `indices`, in that order.
    @inlinable public func gatherRows(_ indices: [Int]) -> Matrix {
        var out = Matrix(rows: indices.count, cols: cols)
        storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                for (k, i) in indices.enumerated() {
                    let s = src.baseAddress! + i * cols
                    (dst.baseAddress! + k * cols).update(from: s, count: cols)
                }
            }
        }
        return out
    }

    @inlinable public var transposed: Matrix {
        var out = Matrix(rows: cols, cols: rows)
        let r = rows, c = cols
        storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                // Blocked, so both sides stay in cache.
                let block = 32
                var i0 = 0
                while i0 < r {
                    var j0 = 0
                    while j0 < c {
                        for i in i0..<min(i0 + block, r) {
                            for j in j0..<min(j0 + block, c) { dst[j * r + i] = src[i * c + j] }
                        }
                        j0 += block
                    }
                    i0 += block
                }
            }
        }
        return out
    }

    /// Reinterprets the storage with another shape of the same size.
    @inlinable public func reshaped(rows newRows: Int, cols newCols: Int) -> Matrix {
        Matrix(rows: newRows, cols: newCols, storage: storage)
    }

    @inlinable public mutating func withUnsafeMutableBufferPointer<R>(_ body: (inout UnsafeMutableBufferPointer<T>) throws -> R) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer(body)
    }

    @inlinable public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<T>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    /// Converts element type (e.g. Float to Double for Gram matrices).
    @inlinable public func converted<U: BLASScalar>(to: U.Type = U.self) -> Matrix<U> {
        Matrix<U>(rows: rows, cols: cols, storage: storage.map { U($0) })
    }

    /// Largest absolute difference to another matrix of the same shape.
    @inlinable public func maxAbsDifference(_ other: Matrix) -> T {
        precondition(rows == other.rows && cols == other.cols)
        var m: T = 0
        for k in 0..<storage.count { m = Swift.max(m, abs(storage[k] - other.storage[k])) }
        return m
    }

    /// Frobenius norm.
    @inlinable public var frobeniusNorm: T { Kernels.dot(storage, storage).squareRoot() }
}
