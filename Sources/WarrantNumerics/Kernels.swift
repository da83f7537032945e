import Foundation

/// Elementwise kernels and reductions, written over unsafe buffers so release
/// builds vectorise them (reductions keep several accumulators, which lets the compiler
/// use vector registers without reassociating floating-point sums itself).
public enum Kernels {
    /// Σ aᵢbᵢ with eight accumulators.
    @inlinable public static func dot<T: BLASScalar>(_ a: [T], _ b: [T]) -> T {
        precondition(a.count == b.count)
        return a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in dot(pa, pb) } }
    }

    @inlinable public static func dot<T: BLASScalar>(_ a: UnsafeBufferPointer<T>, _ b: UnsafeBufferPointer<T>) -> T {
        let n = a.count
        var s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0, s4: T = 0, s5: T = 0, s6: T = 0, s7: T = 0
        var i = 0
        while i + 8 <= n {
            s0 += a[i] * b[i]; s1 += a[i + 1] * b[i + 1]; s2 += a[i + 2] * b[i + 2]; s3 += a[i + 3] * b[i + 3]
            s4 += a[i + 4] * b[i + 4]; s5 += a[i + 5] * b[i + 5]; s6 += a[i + 6] * b[i + 6]; s7 += a[i + 7] * b[i + 7]
            i += 8
        }
        while i < n { s0 += a[i] * b[i]; i += 1 }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    }

    /// x ← max(x, 0).
    @inlinable public static func relu<T: BLASScalar>(_ x: inout Matrix<T>) {
        x.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = p[i] > 0 ? p[i] : 0 }
        }
    }

    /// g ← g · [pre > 0]: the gradient through a ReLU, given its input.
    @inlinable public static func reluBackward<T: BLASScalar>(_ grad: inout Matrix<T>, preActivation pre: Matrix<T>) {
        pre.withUnsafeBufferPointer { z in
            grad.withUnsafeMutableBufferPointer { g in
                for i in g.indices { g[i] = z[i] > 0 ? g[i] : 0 }
            }
        }
    }

    /// The exact GELU, x·Φ(x) = ½x(1 + erf(x/√2)) (PyTorch's default).
    @inlinable public static func gelu<T: BLASScalar>(_ x: inout Matrix<T>) {
        x.withUnsafeMutableBufferPointer { p in
            for i in p.indices {
                let v = Double(p[i])
                p[i] = T(0.5 * v * (1 + erf(v / 2.0.squareRoot())))
            }
        }
    }

    /// g ← g · GELU'(pre), GELU'(x) = Φ(x) + x·φ(x).
    @inlinable public static func geluBackward<T: BLASScalar>(_ grad: inout Matrix<T>, preActivation pre: Matrix<T>) {
        pre.withUnsafeBufferPointer { z in
            grad.withUnsafeMutableBufferPointer { g in
                for i in g.indices {
                    let v = Double(z[i])
                    let cdf = 0.5 * (1 + erf(v / 2.0.squareRoot()))
                    let pdf = exp(-0.5 * v * v) / (2 * Double.pi).squareRoot()
                    g[i] = g[i] * T(cdf + v * pdf)
                }
            }
        }
    }

    /// Adds `bias` to every row.
    @inlinable public static func addRowVector<T: BLASScalar>(_ x: inout Matrix<T>, _ bias: [T]) {
        precondition(bias.count == x.cols)
        let c = x.cols
        bias.withUnsafeBufferPointer { b in
            x.withUnsafeMutableBufferPointer { p in
                var base = 0
                while base < p.count {
                    for j in 0..<c { p[base + j] += b[j] }
                    base += c
                }
            }
        }
    }

    /// Column sums (e.g. a bias gradient).
    @inlinable public static func columnSums<T: BLASScalar>(_ x: Matrix<T>) -> [T] {
        var out = [T](repeating: 0, count: x.cols)
        let c = x.cols
        x.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                var base = 0
                while base < p.count {
                    for j in 0..<c { o[j] += p[base + j] }
                    base += c
                }
            }
        }
        return out
    }

    /// Row-wise log-softmax, computed stably in Double per row.
    @inlinable public static func logSoftmax<T: BLASScalar>(_ logits: Matrix<T>) -> Matrix<Double> {
        var out = Matrix<Double>(rows: logits.rows, cols: logits.cols)
        let c = logits.cols
        logits.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                for r in 0..<logits.rows {
                    let base = r * c
                    var m = -Double.infinity
                    for j in 0..<c { m = Swift.max(m, Double(p[base + j])) }
                    var s = 0.0
                    for j in 0..<c { s += exp(Double(p[base + j]) - m) }
                    let lse = m + log(s)
                    for j in 0..<c { o[base + j] = Double(p[base + j]) - lse }
                }
            }
        }
        return out
    }

    /// Mean cross-entropy of `logits` against integer `labels`, and its gradient
    /// with respect to the logits (softmax − one-hot, divided by the batch size).
    @inlinable public static func crossEntropy<T: BLASScalar>(_ logits: Matrix<T>, labels: [Int]) -> (loss: Double, gradient: Matrix<T>) {
        precondition(labels.count == logits.rows)
        let logp = logSoftmax(logits)
        var grad = Matrix<T>(rows: logits.rows, cols: logits.cols)
        let c = logits.cols, n = Double(logits.rows)
        var loss = 0.0
        logp.withUnsafeBufferPointer { lp in
            grad.withUnsafeMutableBufferPointer { g in
                for r in 0..<logits.rows {
                    let base = r * c
                    loss -= lp[base + labels[r]]
                    for j in 0..<c { g[base + j] = T(exp(lp[base + j]) / n) }
                    g[base + labels[r]] -= T(1 / n)
                }
            }
        }
        return (loss / n, grad)
    }

    /// Index of the largest entry of each row.
    @inlinable public static func argmaxRows<T: BLASScalar>(_ x: Matrix<T>) -> [Int] {
        (0..<x.rows).map { r in
            var best = 0
            var value = x[r, 0]
            for j in 1..<x.cols where x[r, j] > value { best = j; value = x[r, j] }
            return best
        }
    }
}
