/// A LAPACK routine reported failure (`info != 0`).
public struct LinearAlgebraError: Error, Sendable, CustomStringConvertible {
    public var routine: String
    public var info: Int32
    public var description: String {
        info < 0 ? "\(routine): argument \(-info) had an illegal value"
            : "\(routine) did not converge (info = \(info))"
    }
}

/// Matrix products and decompositions on OpenBLAS and LAPACK.
public enum LinearAlgebra {
    /// `C = alpha · op(A) · op(B) + beta · C`, where op transposes when asked.
    @inlinable public static func gemm<T>(_ a: Matrix<T>, transposeA: Bool = false, _ b: Matrix<T>, transposeB: Bool = false,
                               alpha: T = 1, beta: T = 0, into c: inout Matrix<T>) {
        let m = transposeA ? a.cols : a.rows
        let k = transposeA ? a.rows : a.cols
        let kb = transposeB ? b.cols : b.rows
        let n = transposeB ? b.rows : b.cols
        precondition(k == kb, "gemm: inner dimensions \(k) and \(kb) differ")
        precondition(c.rows == m && c.cols == n, "gemm: output is \(c.rows)×\(c.cols), expected \(m)×\(n)")
        if m == 0 || n == 0 { return }
        if k == 0 {
            c.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] *= beta } }
            return
        }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    T.gemm(transposeA, transposeB, m, n, k, alpha, pa.baseAddress!, a.cols, pb.baseAddress!, b.cols,
                           beta, pc.baseAddress!, n)
                }
            }
        }
    }

    /// `op(A) · op(B)`.
    @inlinable public static func matmul<T>(_ a: Matrix<T>, transposeA: Bool = false, _ b: Matrix<T>, transposeB: Bool = false) -> Matrix<T> {
        var c = Matrix<T>(rows: transposeA ? a.cols : a.rows, cols: transposeB ? b.rows : b.cols)
        gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: &c)
        return c
    }

    /// The Gram matrix `alpha · AᵀA` (symmetric, both triangles filled), by SYRK.
    @inlinable public static func gram<T>(_ a: Matrix<T>, alpha: T = 1) -> Matrix<T> {
        let n = a.cols, k = a.rows
        var c = Matrix<T>(rows: n, cols: n)
        if n == 0 || k == 0 { return c }
        a.withUnsafeBufferPointer { pa in
            c.withUnsafeMutableBufferPointer { pc in
                T.syrk(n, k, alpha, pa.baseAddress!, n, 0, pc.baseAddress!, n)
                // Row-major upper triangle is filled; mirror it into the lower one.
                for i in 0..<n { for j in 0..<i { pc[i * n + j] = pc[j * n + i] } }
            }
        }
        return c
    }

    /// Eigendecomposition of a symmetric matrix (LAPACK `syevd`), eigenvalues in
    /// descending order; `vectors` holds the matching unit eigenvectors as columns.
    // Specialised here because a generic body copies its results element by element through
    // metadata lookups (a tenth of a LIB run before this).
    @_specialize(exported: true, where T == Double)
    @_specialize(exported: true, where T == Float)
    public static func symmetricEigen<T>(_ a: Matrix<T>) throws(LinearAlgebraError) -> (values: [T], vectors: Matrix<T>) {
        precondition(a.rows == a.cols, "symmetricEigen needs a square matrix")
        let n = a.rows
        if n == 0 { return ([], Matrix(rows: 0, cols: 0)) }
        // A symmetric row-major matrix is its own column-major transpose.
        var work = a.storage
        var w = [T](repeating: 0, count: n)
        var lworkQuery: T = 0
        var liworkQuery: Int32 = 0
        let n32 = Int32(n)
        let routine = T.lapackPrefix + "syevd"
        var info = work.withUnsafeMutableBufferPointer { pa in
            w.withUnsafeMutableBufferPointer { pw in
                T.syevd(UInt8(ascii: "V"), UInt8(ascii: "U"), n32, pa.baseAddress!, n32, pw.baseAddress!, &lworkQuery, -1, &liworkQuery, -1)
            }
        }
        guard info == 0 else { throw LinearAlgebraError(routine: routine, info: info) }
        let lwork = Int(lworkQuery) + 1, liwork = Int(liworkQuery) + 1
        var scratch = [T](repeating: 0, count: lwork)
        var iscratch = [Int32](repeating: 0, count: liwork)
        info = work.withUnsafeMutableBufferPointer { pa in
            w.withUnsafeMutableBufferPointer { pw in
                scratch.withUnsafeMutableBufferPointer { ps in
                    iscratch.withUnsafeMutableBufferPointer { pi in
                        T.syevd(UInt8(ascii: "V"), UInt8(ascii: "U"), n32, pa.baseAddress!, n32, pw.baseAddress!,
                                ps.baseAddress!, Int32(lwork), pi.baseAddress!, Int32(liwork))
                    }
                }
            }
        }
        guard info == 0 else { throw LinearAlgebraError(routine: routine, info: info) }
        // Column-major eigenvectors: eigenvector j is work[j*n ..< (j+1)*n]. Ascending → descending.
        var vectors = Matrix<T>(rows: n, cols: n)
        var values = [T](repeating: 0, count: n)
        for out in 0..<n {
            let j = n - 1 - out
            values[out] = w[j]
            for i in 0..<n { vectors[i, out] = work[j * n + i] }
        }
        return (values, vectors)
    }

    /// Thin singular value decomposition (LAPACK `gesdd`): `A = U · diag(s) · Vᵀ`,
    /// singular values descending; `U` is m×k, `vt` k×n, k = min(m, n).
    // Specialised here because a generic body copies its results element by element through
    // metadata lookups (a tenth of a LIB run before this).
    @_specialize(exported: true, where T == Double)
    @_specialize(exported: true, where T == Float)
    public static func svd<T>(_ a: Matrix<T>) throws(LinearAlgebraError) -> (u: Matrix<T>, s: [T], vt: Matrix<T>) {
        let m = a.rows, n = a.cols, k = min(m, n)
        if k == 0 { return (Matrix(rows: m, cols: 0), [], Matrix(rows: 0, cols: n)) }
        // Row-major A (m×n) is column-major Aᵀ (n×m). Decompose Aᵀ = U' Σ V'ᵀ; then
        // U' (column-major n×k) read row-major is Vᵀ (k×n) and V'ᵀ (column-major k×m)
        // read row-major is U (m×k).
        var work = a.storage
        var s = [T](repeating: 0, count: k)
        var uPrime = [T](repeating: 0, count: n * k)
        var vtPrime = [T](repeating: 0, count: k * m)
        var iwork = [Int32](repeating: 0, count: 8 * k)
        let routine = T.lapackPrefix + "gesdd"
        var query: T = 0
        func call(_ lwork: Int32, _ workspace: UnsafeMutablePointer<T>) -> Int32 {
            work.withUnsafeMutableBufferPointer { pa in
                s.withUnsafeMutableBufferPointer { ps in
                    uPrime.withUnsafeMutableBufferPointer { pu in
                        vtPrime.withUnsafeMutableBufferPointer { pv in
                            iwork.withUnsafeMutableBufferPointer { pi in
                                T.gesdd(UInt8(ascii: "S"), Int32(n), Int32(m), pa.baseAddress!, Int32(n), ps.baseAddress!,
                                        pu.baseAddress!, Int32(n), pv.baseAddress!, Int32(k), workspace, lwork, pi.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
        var info = call(-1, &query)
        guard info == 0 else { throw LinearAlgebraError(routine: routine, info: info) }
        var scratch = [T](repeating: 0, count: Int(query) + 1)
        info = scratch.withUnsafeMutableBufferPointer { call(Int32($0.count), $0.baseAddress!) }
        guard info == 0 else { throw LinearAlgebraError(routine: routine, info: info) }
        return (Matrix(rows: m, cols: k, storage: vtPrime), s, Matrix(rows: k, cols: n, storage: uPrime))
    }
}
