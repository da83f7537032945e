import CKernels

/// Float32 loops of the sparse SAE steps, run by the C kernels in `CKernels` at the widest
/// vector width the CPU has. Each gives the same bits as the plain Swift loop it stands for
/// (the same operations in the same order, no fused multiply-add).
public enum WideKernels {
    /// y[j] += a·x[j] and v[j] += b·u[j] for j < n. The four buffers must not overlap.
    @inlinable public static func axpy2(_ n: Int, _ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                        _ b: Float, _ u: UnsafePointer<Float>, _ v: UnsafeMutablePointer<Float>) {
        guard n > 0 else { return }
        warrant_axpy2_f32(n, a, x, y, b, u, v)
    }

    /// y[j] += a·x[j] for j < n (x and y must not overlap).
    @inlinable public static func axpy(_ n: Int, _ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        guard n > 0 else { return }
        warrant_axpy_f32(n, a, x, y)
    }

    /// Σ a[j]·b[j] summed in `Kernels.dot`'s order (eight running sums, then a fixed tree).
    @inlinable public static func dot(_ n: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>) -> Float {
        guard n > 0 else { return 0 }
        return warrant_dot8_f32(n, a, b)
    }

    /// One Adam step over n elements, element by element as ``Adam/update(_:gradient:slot:decay:)`` does.
    @inlinable public static func adam(_ n: Int, parameter p: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>,
                                       m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
                                       beta1: Float, beta2: Float, correction1: Float, correction2: Float,
                                       learningRate: Float, epsilon: Float, shrink: Float) {
        guard n > 0 else { return }
        warrant_adam_f32(n, p, g, m, v, beta1, beta2, correction1, correction2, learningRate, epsilon, shrink)
    }

    /// How many i < n have x[i] + bias[i] > 0 (a ReLU's active units).
    @inlinable public static func countPositive(_ n: Int, _ x: UnsafePointer<Float>, plus bias: UnsafePointer<Float>) -> Int {
        n > 0 ? warrant_count_positive_f32(n, x, bias) : 0
    }

    /// The i < n with v = x[i] + bias[i] > 0, in order, as (i, v) into `columns` and `values`,
    /// which must have room for ``countPositive(_:_:plus:)`` entries; returns how many.
    @inlinable public static func compressPositive(_ n: Int, _ x: UnsafePointer<Float>, plus bias: UnsafePointer<Float>,
                                                   columns: UnsafeMutablePointer<Int32>, values: UnsafeMutablePointer<Float>) -> Int {
        n > 0 ? warrant_compress_positive_f32(n, x, bias, columns, values) : 0
    }
}
